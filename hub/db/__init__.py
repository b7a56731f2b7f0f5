"""Database models and session handling (SQLAlchemy 2; SQLite by default, PostgreSQL in
production)."""

from hub.db import models  # noqa: F401  (registers every table on Base.metadata)
from hub.db.base import Base, Database  # noqa: F401
