"""Run with the stack's environment: the load's county, school and accounts, made in one process
through the hub's own services (a CLI call each would cost seconds of start-up); prints their
tokens by role as JSON."""

from __future__ import annotations

import json
import sys

from config import Config
from hub.bootstrap import bootstrap
from hub.security.principal import SYSTEM

ROLES = {"admin": 1, "contributor": 3, "reviewer": 1}
PASSWORD = "load-test-password-1"


def main() -> None:
    hub = bootstrap(Config.from_env())
    accounts = hub.accounts
    accounts.create_org(SYSTEM, code="load-county", name="负载测试县教育局", kind="county",
                        parent=None, region="640422")  # fmt: skip
    accounts.create_org(SYSTEM, code="load-school", name="负载测试学校", kind="school",
                        parent="load-county", region="640422")  # fmt: skip
    tokens: dict[str, list[str]] = {}
    for role, n in ROLES.items():
        for i in range(n):
            email = f"{role}{i}@load.example.cn"
            is_admin = role == "admin"
            accounts.create_user(
                SYSTEM, email=email, password=PASSWORD, name=f"{role} {i}", is_admin=is_admin,
                org=None if is_admin else "load-school", role=None if is_admin else role,
            )  # fmt: skip
            token, _ = accounts.create_token(SYSTEM, email=email, name="load")
            tokens.setdefault(role, []).append(token)
    json.dump(tokens, sys.stdout)


if __name__ == "__main__":
    main()
