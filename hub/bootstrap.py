"""The composition root: `bootstrap(config)` builds the ports, then each service with what it uses.

Every entrypoint (the Flask app factory, the CLI, the workers, the benches) calls `bootstrap` and
nothing else to get a `Hub`. A new service is built in one of the short `_xxx_services` functions
below, from the ports and services it names in its constructor.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from config import Config
from hub import harvest
from hub.bundles.collections import CollectionBundles
from hub.bundles.export import BundleExporter
from hub.bundles.importer import BundleImporter
from hub.bundles.imports import BundleImportService, handle_import
from hub.bundles.jobs import BundleJobService, handle_build
from hub.bundles.trust import TrustedKeys
from hub.datadir import secure_data_dir
from hub.db.base import Database
from hub.mail import mailer_from_url
from hub.search import index_from_url
from hub.security.pace import UserPace
from hub.security.principal import SYSTEM, Principal
from hub.security.throttle import storage_url
from hub.services import changes as _changes  # noqa: F401  (installs the feed's commit-order lock)
from hub.services import indexer
from hub.services.accounts import AccountService
from hub.services.accounts_import import UserImportService
from hub.services.audit import AuditService
from hub.services.changes import ChangeService
from hub.services.collections import CollectionService
from hub.services.comment_moderation import CommentModerationService
from hub.services.comments import CommentService
from hub.services.duplicates import DuplicateService
from hub.services.favourites import FavouriteService
from hub.services.files import FileService
from hub.services.oai import OaiService
from hub.services.orgs_import import RegisterService
from hub.services.outbox import OutboxService, start_sync
from hub.services.password_links import PasswordLinkService
from hub.services.previews import PreviewService, handle_preview
from hub.services.ratings import RatingService
from hub.services.related import RelatedService
from hub.services.renditions import RenditionService, handle_rendition
from hub.services.resources import ResourceService
from hub.services.review import ReviewService
from hub.services.search import SearchService
from hub.services.stats import StatsService
from hub.services.stats_catalogue import CatalogueFigures
from hub.services.uow import UnitOfWork
from hub.services.uploads import UploadService
from hub.services.usage import UsageRecorder
from hub.storage import store_from_url
from hub.tasks import Topic, queue_from_url
from metadata.vocabularies import load_vocabularies


class Hub:
    """One per process: the configuration, the ports (chosen by URL) and the services built on them.

    A plain container filled by `bootstrap`; one attribute per port or service, nothing looked up.
    """

    def __init__(self, config: Config, db: Database, tasks, storage, index, vocabularies):
        self.config = config
        self.db = db
        self.tasks = (
            tasks  # TaskQueue: a commit that wrote outbox messages wakes a worker through it
        )
        self.storage = storage
        self.index = index  # the search index (the web process only reads it; the worker writes)
        self.vocabularies = vocabularies

    def uow(self, actor: Principal = SYSTEM) -> UnitOfWork:
        """A unit of work; the services receive this method as their `uow` factory."""
        return UnitOfWork(self.db.session(), actor, on_outbox=self.tasks.wake_outbox)

    def close(self) -> None:
        usage = getattr(self, "usage", None)
        if usage is not None:
            usage.close()  # a clean shutdown writes the buffered usage events
        self.index.close()
        self.tasks.close()
        self.db.dispose()


def bootstrap(config: Config) -> Hub:
    """The hub for this configuration: ports first, then the services in dependency order."""
    secure_data_dir(config.data_dir)  # umask 077 and a 0700 data directory (issue 9)
    hub = Hub(
        config,
        db=Database(config.database_url),
        tasks=queue_from_url(config),
        storage=store_from_url(config.storage_url, data_dir=config.data_dir),
        index=index_from_url(config.search_url, config.data_dir),
        vocabularies=load_vocabularies(),
    )
    _account_services(hub)
    _resource_services(hub)
    _search_services(hub)
    _harvest_services(hub)
    _insight_services(hub)
    _bundle_services(hub)
    _teacher_services(hub)
    _outbox_service(hub)  # last: its handlers are the services above
    return hub


def _account_services(hub: Hub) -> None:
    hub.accounts = AccountService(hub.uow, hub.db, hub.config, hub.vocabularies)
    hub.audit = AuditService(hub.db)
    hub.register = RegisterService(hub.uow, hub.db, hub.vocabularies)
    hub.mailer = mailer_from_url(hub.config.smtp_url, hub.config.mail_from)
    hub.password_links = PasswordLinkService(hub.uow, hub.db, hub.config)
    hub.user_imports = UserImportService(hub.uow, hub.db, hub.password_links, hub.mailer)


def _resource_services(hub: Hub) -> None:
    hub.resources = ResourceService(hub.uow)
    hub.files = FileService(hub.uow, hub.resources, hub.storage, hub.config)
    hub.uploads = UploadService(hub.uow, hub.resources, hub.files, hub.config)
    hub.review = ReviewService(hub.uow, hub.resources)
    hub.changes = ChangeService(hub.uow, hub.resources)
    hub.oai = OaiService(hub.db, hub.config, hub.resources, hub.vocabularies)
    hub.previews = PreviewService(hub.db, hub.storage, hub.resources)
    hub.renditions = RenditionService(hub.db, hub.storage, hub.resources)
    hub.duplicates = DuplicateService(hub.uow)


def _search_services(hub: Hub) -> None:
    hub.search = SearchService(hub.index, hub.db, hub.vocabularies)


def _harvest_services(hub: Hub) -> None:
    built = harvest.build(
        uow=hub.uow,
        resources=hub.resources,
        files=hub.files,
        data_dir=hub.config.data_dir,
        lock_runs=not hub.db.is_sqlite,
        secret_key=hub.config.secret_key,
    )
    hub.sources, hub.sync, hub.mirrors = built.sources, built.sync, built.mirrors


def _insight_services(hub: Hub) -> None:
    config = hub.config
    hub.usage = UsageRecorder(hub.db, config)
    hub.stats = StatsService(
        db=hub.db,
        uow=hub.uow,
        vocabularies=hub.vocabularies,
        recorder=hub.usage,
        catalogue=CatalogueFigures(hub.db, hub.vocabularies),
        events_days=config.events_days,
    )


def _bundle_services(hub: Hub) -> None:
    config = hub.config
    hub.bundle_exporter = BundleExporter(
        db=hub.db,
        resources=hub.resources,
        search=hub.search,
        storage=hub.storage,
        vocabularies=hub.vocabularies,
        config=config,
    )
    trust = TrustedKeys(config.data_dir)  # one store: the CLI's imports and the page's
    # A factory: each import has its own keys, options and report.
    hub.bundle_importer = partial(
        BundleImporter,
        uow=hub.uow,
        storage=hub.storage,
        resources=hub.resources,
        sources=hub.sources,
        data_dir=config.data_dir,
        trust=trust,
    )
    hub.bundles = BundleJobService(
        uow=hub.uow,
        db=hub.db,
        exporter=hub.bundle_exporter,
        principal_for_user_id=hub.accounts.principal_for_user_id,
        folder=Path(config.data_dir) / "bundles",
        bundle_days=config.bundle_days,
    )
    hub.bundle_imports = BundleImportService(
        uow=hub.uow, importer_for=hub.bundle_importer, data_dir=config.data_dir, trust=trust
    )


def _teacher_services(hub: Hub) -> None:
    """What teachers keep, share and say: favourites, collections and their offline bundles,
    ratings and comments (each user's pace on the shared rate-limit store)."""
    pace = UserPace(storage_url(hub.config.broker_url))
    hub.ratings = RatingService(hub.uow, hub.resources, pace)
    hub.comments = CommentService(hub.uow, hub.resources, pace)
    hub.comment_moderation = CommentModerationService(hub.uow)
    hub.related = RelatedService(hub.uow, hub.resources)
    hub.favourites = FavouriteService(hub.uow, hub.resources)
    hub.collections = CollectionService(hub.uow, hub.resources)
    hub.collection_bundles = CollectionBundles(
        collections=hub.collections,
        exporter=hub.bundle_exporter,
        folder=Path(hub.config.data_dir) / "bundles" / "collections",
    )


def _outbox_service(hub: Hub) -> None:
    """The outbox with one handler per topic, each bound to what it uses (a test for every topic
    of the enum: tests/unit/hub/services/test_outbox.py)."""
    index = partial(indexer.handle_index, hub.db, hub.index)
    batch_handlers = {
        Topic.RESOURCE_INDEX: index,
        Topic.RESOURCE_INDEX_BATCH: index,
        Topic.FILE_EXTRACT: partial(indexer.handle_extract, hub.db, hub.index, hub.storage),
    }
    handlers = {
        Topic.SOURCE_SYNC: partial(start_sync, hub.tasks),
        Topic.FILE_PREVIEW: partial(handle_preview, hub.previews),
        Topic.FILE_RENDITION: partial(handle_rendition, hub.tasks),
        Topic.BUNDLE_BUILD: partial(handle_build, hub.bundles),
        Topic.BUNDLE_IMPORT: partial(handle_import, hub.bundle_imports),
    }
    hub.outbox = OutboxService(
        hub.uow, hub.db, hub.config, handlers=handlers, batch_handlers=batch_handlers
    )
