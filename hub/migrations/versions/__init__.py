"""Alembic revisions, one module each; generated with `make migration MSG=...`."""
