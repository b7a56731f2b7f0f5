"""Who is calling, for the API modules: the shared HTTP layer's principal (hub.http.principal)."""

from __future__ import annotations

from hub.http.principal import client_ip, current_principal, require_user

__all__ = ["client_ip", "current_principal", "require_user"]
