"""EduHub configuration, read from the environment with embedded defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _secret_key(data_dir: Path) -> str:
    """The key from the environment, else one generated once into the data directory."""
    explicit = _env("EDUHUB_SECRET_KEY")
    if explicit:
        return explicit
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass
class Config:
    """Every setting the hub reads; `Config.from_env()` is what the app and CLI use."""

    data_dir: Path
    database_url: str
    storage_url: str
    search_url: str
    broker_url: str
    secret_key: str
    max_upload_mb: int = 2048
    max_form_kb: int = 1024
    trusted_proxies: int = 0
    metrics_token: str | None = None
    hub_name: str = "EduHub"  # named in offline bundles as their origin
    public_url: str = "http://localhost:8000"
    bundle_days: int = 7  # built bundles are deleted after this many days
    beat_schedule: dict = field(default_factory=dict)
    testing: bool = False
    # Usage events (issue 11): on/off, retention, the in-process buffer and the robot rate limit.
    events_enabled: bool = True
    events_days: int = 400
    events_buffer: int = 50_000
    events_flush_seconds: float = 2.0
    events_rate_per_minute: int = 120
    # Outgoing mail (issue 13): console:// prints it; smtp://user:pass@host:587?starttls=1 sends it.
    smtp_url: str = "console://"
    mail_from: str = "eduhub@localhost"
    set_password_days: int = 7  # a one-time set-password link dies after this many days

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def max_form_bytes(self) -> int:
        return self.max_form_kb * 1024

    @property
    def embedded_broker(self) -> bool:
        return self.broker_url.startswith("filesystem://")

    @classmethod
    def from_env(cls, **overrides) -> Config:
        data_dir = Path(
            overrides.pop("data_dir", None) or _env("EDUHUB_DATA_DIR", "./var")
        ).resolve()
        values = dict(
            data_dir=data_dir,
            database_url=_env("EDUHUB_DATABASE_URL", f"sqlite:///{data_dir / 'hub.db'}"),
            storage_url=_env("EDUHUB_STORAGE_URL", f"file://{data_dir / 'objects'}"),
            search_url=_env("EDUHUB_SEARCH_URL", f"tantivy://{data_dir / 'index'}"),
            broker_url=_env("EDUHUB_BROKER_URL", f"filesystem://{data_dir / 'broker'}"),
            max_upload_mb=int(_env("EDUHUB_MAX_UPLOAD_MB", "2048")),
            max_form_kb=int(_env("EDUHUB_MAX_FORM_KB", "1024")),
            trusted_proxies=int(_env("EDUHUB_TRUSTED_PROXIES", "0")),
            metrics_token=_env("EDUHUB_METRICS_TOKEN"),
            hub_name=_env("EDUHUB_HUB_NAME", "EduHub"),
            public_url=_env("EDUHUB_PUBLIC_URL", "http://localhost:8000").rstrip("/"),
            bundle_days=int(_env("EDUHUB_BUNDLE_DAYS", "7")),
            beat_schedule=default_beat_schedule(),
            smtp_url=_env("EDUHUB_SMTP_URL", "console://"),
            mail_from=_env("EDUHUB_MAIL_FROM", "eduhub@localhost"),
            set_password_days=int(_env("EDUHUB_SET_PASSWORD_DAYS", "7")),
            **_events_settings(),
        )
        values.update(overrides)
        if "secret_key" not in values:
            values["secret_key"] = _secret_key(data_dir)
        return cls(**values)


def default_beat_schedule() -> dict:
    """Periodic tasks; per-source schedules are added from the database by the beat process."""
    return {
        "process-outbox": {"task": "workers.tasks.process_outbox", "schedule": 5.0},
        "verify-checksums": {"task": "workers.tasks.verify_checksums", "schedule": 7 * 24 * 3600.0},
        "purge-uploads": {"task": "workers.tasks.purge_uploads", "schedule": 3600.0},
        "reconcile-search": {"task": "workers.tasks.reconcile_search", "schedule": 24 * 3600.0},
        "refresh-stats": {"task": "workers.tasks.refresh_stats", "schedule": 300.0},
        "expire-bundles": {"task": "workers.tasks.expire_bundles", "schedule": 3600.0},
        # A mirror's pass runs until its window closes; a busy mirror's next tick is skipped.
        "fill-mirrors": {"task": "workers.tasks.fill_mirrors", "schedule": 300.0},
        # Renditions whose task was lost, and videos stored before renditions existed.
        "sweep-renditions": {"task": "workers.tasks.sweep_renditions", "schedule": 600.0},
    }


@dataclass(frozen=True)
class SandboxLimits:
    """Limits on each renderer or extractor run over a file from anyone (see hub/sandbox.py)."""

    cpu_seconds: int = 60  # CPU time of the child (RLIMIT_CPU)
    memory_mb: int = 2048  # address space of each child process (RLIMIT_AS); 0 for none
    wall_seconds: float = 120.0  # then the whole process group is killed
    max_unzipped_mb: int = 512  # total declared (and actually read) size of a ZIP/OOXML file
    max_ratio: int = 100  # uncompressed/compressed size of one entry (entries over 1 MB)
    max_entries: int = 10_000  # entries in one ZIP/OOXML file
    max_pixels: int = 40_000_000  # Pillow's decompression-bomb limit

    @classmethod
    def from_env(cls) -> SandboxLimits:
        """`EDUHUB_SANDBOX_CPU_SECONDS`, `_MEMORY_MB`, `_WALL_SECONDS`, `_MAX_UNZIPPED_MB`,
        `_MAX_RATIO`, `_MAX_ENTRIES`, `_MAX_PIXELS`; unset ones keep their defaults."""
        values = {}
        for name, default in cls.__dataclass_fields__.items():
            raw = _env(f"EDUHUB_SANDBOX_{name.upper()}")
            if raw is not None:
                values[name] = type(default.default)(raw)
        return cls(**values)


def _events_settings() -> dict:
    return dict(
        events_enabled=_env("EDUHUB_EVENTS", "on").lower() not in ("off", "0", "false", "no"),
        events_days=int(_env("EDUHUB_EVENTS_DAYS", "400")),
        events_buffer=int(_env("EDUHUB_EVENTS_BUFFER", "50000")),
        events_flush_seconds=float(_env("EDUHUB_EVENTS_FLUSH_SECONDS", "2")),
        events_rate_per_minute=int(_env("EDUHUB_EVENTS_RATE", "120")),
    )
