"""The hub's services, wired to its backends. Blueprints, CLI and workers all go through `Hub`."""

from __future__ import annotations

from functools import cached_property

from config import Config
from hub.db.base import Database
from hub.security.principal import SYSTEM, Principal
from hub.services import changes as _changes  # noqa: F401  (installs the changes feed's commit-order lock)
from hub.services.uow import UnitOfWork


class Hub:
    """One per process: configuration, backends (chosen by URL) and the services built on them."""

    def __init__(self, config: Config):
        self.config = config
        self.db = Database(config.database_url)
        # Called after a commit that wrote outbox messages; the worker issue points it at the task queue.
        self.on_outbox = None

    def uow(self, actor: Principal = SYSTEM) -> UnitOfWork:
        return UnitOfWork(self.db.session(), actor, on_outbox=self._notify_outbox)

    def _notify_outbox(self) -> None:
        if self.on_outbox is not None:
            self.on_outbox()
        else:  # by default, wake a worker; beat's periodic process_outbox catches anything missed
            from workers.app import notify_outbox

            notify_outbox(self)

    @cached_property
    def storage(self):
        from hub.storage import store_from_url

        return store_from_url(self.config.storage_url, data_dir=self.config.data_dir)

    @cached_property
    def vocabularies(self):
        from metadata.vocabularies import load_vocabularies

        return load_vocabularies()

    @cached_property
    def accounts(self):
        from hub.services.accounts import AccountService

        return AccountService(self)

    @cached_property
    def resources(self):
        from hub.services.resources import ResourceService

        return ResourceService(self)

    @cached_property
    def files(self):
        from hub.services.files import FileService

        return FileService(self)

    @cached_property
    def audit(self):
        from hub.services.audit import AuditService

        return AuditService(self)

    @cached_property
    def sources(self):
        from hub.services.sources import SourceService

        return SourceService(self)

    @cached_property
    def sync(self):
        from hub.services.sync import SyncService

        return SyncService(self)

    @cached_property
    def outbox(self):
        import hub.bundles.jobs  # noqa: F401  (registers the bundle build handler)
        import hub.services.indexer  # noqa: F401  (registers the search handlers)
        import hub.services.previews  # noqa: F401  (registers the preview handler)
        from hub.services.outbox import OutboxService

        return OutboxService(self)

    @cached_property
    def search(self):
        """The search index (the web process only reads it; the worker writes)."""
        from hub.search import index_from_url

        return index_from_url(self.config.search_url, self.config.data_dir)

    @cached_property
    def search_service(self):
        from hub.services.search import SearchService

        return SearchService(self)

    @cached_property
    def changes(self):
        from hub.services.changes import ChangeService

        return ChangeService(self)

    def close(self) -> None:
        if "search" in self.__dict__:
            self.search.close()
        self.db.dispose()
