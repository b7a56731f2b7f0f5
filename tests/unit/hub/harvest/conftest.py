"""The service unit tests' hub (SQLite in the test's directory, memory storage and search)."""

from tests.unit.hub.services.conftest import hub, schema_file  # noqa: F401  (fixtures)
