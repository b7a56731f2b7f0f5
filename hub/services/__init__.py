"""The hub's services, wired to its backends. Blueprints, CLI and workers all go through `Hub`."""

from __future__ import annotations

from functools import cached_property

from config import Config
from hub.datadir import secure_data_dir
from hub.db.base import Database
from hub.security.principal import SYSTEM, Principal
from hub.services import changes as _changes  # noqa: F401  (installs the changes feed's commit-order lock)
from hub.services.uow import UnitOfWork
from hub.tasks import queue_from_url


class Hub:
    """One per process: configuration, backends (chosen by URL) and the services built on them."""

    def __init__(self, config: Config):
        self.config = config
        secure_data_dir(config.data_dir)  # umask 077 and a 0700 data directory (issue 9)
        self.db = Database(config.database_url)
        # Task dispatch: a commit that wrote outbox messages wakes a worker through it.
        self.tasks = queue_from_url(config)

    def uow(self, actor: Principal = SYSTEM) -> UnitOfWork:
        return UnitOfWork(self.db.session(), actor, on_outbox=self.tasks.wake_outbox)

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
        from hub.harvest import SourceService

        return SourceService(uow=self.uow)

    @cached_property
    def sync(self):
        from hub.harvest import SyncService, fetcher_factory

        fetcher_for = fetcher_factory(self.uow, self.resources, self.files, self.config.data_dir)
        return SyncService(uow=self.uow, fetcher_for=fetcher_for, lock_runs=not self.db.is_sqlite)

    @cached_property
    def outbox(self):
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

    @cached_property
    def usage(self):
        from hub.services.usage import UsageRecorder

        return UsageRecorder(self)

    @cached_property
    def stats(self):
        from hub.services.stats import StatsService

        return StatsService(self)

    def close(self) -> None:
        if "usage" in self.__dict__:
            self.usage.close()  # a clean shutdown writes the buffered usage events
        if "search" in self.__dict__:
            self.search.close()
        self.tasks.close()
        self.db.dispose()
