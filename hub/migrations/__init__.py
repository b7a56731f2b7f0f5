"""Alembic migrations, shipped inside the package so an installed hub can migrate its own
database."""
