"""The school register service: import a CSV/XLSX register all or nothing, and export it back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from hub.db.models.accounts import Organisation
from hub.errors import Conflict, Forbidden
from hub.security.principal import Principal
from hub.services.orgs import require_authenticated
from hub.services.orgs_files import read_rows, write_csv
from hub.services.orgs_register import (
    COLUMNS,
    FLAGS,
    OrgRow,
    Plan,
    RowError,
    parse_row,
    plan_import,
)

EXPORT_COLUMNS = ["code", "school_id", "name", "kind", "parent", "region", "stages", *FLAGS]


@dataclass
class ImportReport:
    """Each row's outcome with its line; `applied` is False whenever any row failed."""

    created: list[tuple[int, str]]
    updated: list[tuple[int, str]]
    unchanged: list[tuple[int, str]]
    failed: list[tuple[int, str, str]]
    applied: bool

    @classmethod
    def of(cls, plan: Plan, applied: bool) -> ImportReport:
        return cls(plan.created, plan.updated, plan.unchanged, sorted(plan.failed), applied)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "failed": len(self.failed),
        }


def require_admin(actor: Principal) -> None:
    require_authenticated(actor)
    if not actor.is_admin:
        raise Forbidden("只有管理员可以导入名册。Only an administrator can import a register.")


def row_of(org: Organisation) -> OrgRow:
    return OrgRow(
        code=org.code,
        name=org.name,
        kind=org.kind,
        parent=org.parent.code if org.parent is not None else None,
        region=org.region,
        school_id=org.school_id,
        stages=org.stages or "",
        **{flag: bool(getattr(org, flag)) for flag in FLAGS},
    )


class RegisterService:
    def __init__(self, uow, db, vocabularies):
        self.uow, self.db, self.vocabularies = uow, db, vocabularies

    def import_file(
        self, actor: Principal, data: bytes, filename: str, *, apply: bool = True
    ) -> ImportReport:
        """Check every row; write them all (parents first) only if none failed and `apply`."""
        require_admin(actor)
        plan = self.plan(data, filename)
        if plan.failed or not apply:
            return ImportReport.of(plan, applied=False)
        if plan.created or plan.updated:
            self._apply(actor, plan, filename)
        return ImportReport.of(plan, applied=True)

    def plan(self, data: bytes, filename: str) -> Plan:
        plan, parsed = Plan(), []
        stages, regions = self.vocabularies.get("stages"), self.vocabularies.get("regions")
        for row in read_rows(data, filename, COLUMNS):
            try:
                parsed.append((row.line, parse_row(row.values, stages, regions)))
            except RowError as exc:
                plan.fail(row.line, row.values.get("code", ""), str(exc))
        return plan_import(parsed, self._existing(), plan)

    def _existing(self) -> dict[str, OrgRow]:
        with self.db.session() as session:
            orgs = session.scalars(select(Organisation).options(selectinload(Organisation.parent)))
            return {org.code: row_of(org) for org in orgs}

    def _apply(self, actor: Principal, plan: Plan, filename: str) -> None:
        changed = {code for _, code in plan.created + plan.updated}
        with self.uow(actor) as uow:
            orgs = {o.code: o for o in uow.session.scalars(select(Organisation))}
            for _, row in plan.rows:
                if row.code in changed:
                    orgs[row.code] = _write(uow.session, orgs.get(row.code), row, orgs)
            uow.session.flush()  # new rows get the ids their paths are made of
            _repath(orgs.values())
            uow.audit(
                "org.import",
                "org",
                None,
                file=filename,
                created=[code for _, code in plan.created],
                updated=[code for _, code in plan.updated],
                unchanged=len(plan.unchanged),
            )
            try:
                uow.commit()
            except IntegrityError:
                raise Conflict(
                    "导入时其他人修改了机构，请重新导入。"
                    "Organisations changed while importing: run the import again."
                ) from None

    def export_csv(self, actor: Principal) -> bytes:
        """The register as CSV (UTF-8 with BOM), cells safe to open in a spreadsheet."""
        require_admin(actor)
        rows = sorted(self._existing().values(), key=lambda r: r.code)
        return write_csv(EXPORT_COLUMNS, (_export_cells(r) for r in rows))


def _write(session, org: Organisation | None, row: OrgRow, orgs: dict) -> Organisation:
    if org is None:
        org = Organisation(code=row.code, path="/")
        session.add(org)
    org.name, org.kind, org.region = row.name, row.kind, row.region
    org.parent = orgs[row.parent] if row.parent else None
    org.school_id, org.stages = row.school_id, row.stages
    for flag in FLAGS:
        setattr(org, flag, getattr(row, flag))
    return org


def _repath(orgs) -> None:
    """Materialised paths from the parent links, for every organisation a move may have touched."""
    by_id = {org.id: org for org in orgs}
    paths: dict[int, str] = {}

    def path_of(org: Organisation) -> str:
        if org.id not in paths:
            parent = org.parent
            paths[org.id] = (path_of(parent) if parent is not None else "/") + f"{org.id}/"
        return paths[org.id]

    for org in by_id.values():
        path = path_of(org)
        if org.path != path:
            org.path = path


def _export_cells(row: OrgRow) -> list:
    return [
        row.code,
        row.school_id or "",
        row.name,
        row.kind,
        row.parent or "",
        row.region or "",
        row.stages,
        *("1" if getattr(row, flag) else "0" for flag in FLAGS),
    ]
