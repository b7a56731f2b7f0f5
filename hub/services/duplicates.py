"""Suspected duplicates for a person to merge into one work or keep apart; merges are audited and
can be undone.

Suspects are published latest records with the same stage, subjects and grades whose normalised
title and description are near-identical (metadata.neardup: bottom-k sketches, so the hub is read
once and only records sharing a bucket are compared). Pairs already in one work, and pairs a
person kept apart, are not suggested again.
"""

from __future__ import annotations

from sqlalchemy import select

from hub.db.models import Resource, WorkDecision
from hub.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from hub.security.principal import Principal
from hub.services import works
from metadata import neardup

DESCRIPTION_CHARS = 600  # enough of a description to compare; the rest is rarely different
MAX_SUSPECTS = 200


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


class DuplicateService:
    def __init__(self, uow):
        self.uow = uow

    def suspects(self, actor: Principal, limit: int = 50) -> list[dict]:
        """The most similar undecided pairs, each with both records' titles and sources."""
        _require_admin(actor)
        with self.uow(actor) as uow:
            rows = self._candidates(uow.session)
            decisions = select(WorkDecision.first_id, WorkDecision.second_id)
            decided = {tuple(r) for r in uow.session.execute(decisions)}
            items = [(r.id, _block(r), _grams(r)) for r in rows]
            by_id = {r.id: r for r in rows}
            out = []
            for a, b, score in neardup.near_duplicates(items):
                first, second = by_id[a], by_id[b]
                if (a, b) in decided or (first.work_id and first.work_id == second.work_id):
                    continue
                out.append({"first": _brief(first), "second": _brief(second), "score": score})
                if len(out) >= min(limit, MAX_SUSPECTS):
                    break
            return out

    @staticmethod
    def _candidates(session):
        return session.execute(
            select(
                Resource.id,
                Resource.title,
                Resource.description,
                Resource.stage,
                Resource.subjects,
                Resource.grades,
                Resource.work_id,
                Resource.org_id,
                Resource.source_id,
            ).where(Resource.status == "published", Resource.is_latest.is_(True))
        ).all()

    def merged(self, actor: Principal, limit: int = 50) -> list[dict]:
        """The latest merges, newest first, each of which can be undone."""
        _require_admin(actor)
        with self.uow(actor) as uow:
            decisions = uow.session.scalars(
                select(WorkDecision)
                .where(WorkDecision.decision == "merged")
                .order_by(WorkDecision.at.desc(), WorkDecision.id.desc())
                .limit(limit)
            ).all()
            ids = {i for d in decisions for i in (d.first_id, d.second_id)}
            query = select(Resource.id, Resource.title).where(Resource.id.in_(ids))
            titles = dict(uow.session.execute(query).tuples().all())
            return [
                {
                    "first": {"id": d.first_id, "title": titles.get(d.first_id)},
                    "second": {"id": d.second_id, "title": titles.get(d.second_id)},
                    "at": d.at,
                }
                for d in decisions
            ]

    def merge(self, actor: Principal, first_id: str, second_id: str) -> dict:
        """`second_id` joins the work of `first_id`; undone by `unmerge`."""
        _require_admin(actor)
        a, b = pair(first_id, second_id)
        with self.uow(actor) as uow:
            first, second = _both(uow.session, first_id, second_id)
            lead = first.work_id or first.id
            decision = _decision(uow.session, a, b)
            decision.decision, decision.actor_id = "merged", actor.user_id
            decision.previous_work_id = second.work_id
            first.work_id, second.work_id = lead, lead
            uow.audit("work.merge", "resource", second.id, into=first.id, work=lead)
            for resource in (first, second):
                uow.index_later(resource.id)
            uow.commit()
            return {"work_id": lead, "first": first.id, "second": second.id}

    def unmerge(self, actor: Principal, first_id: str, second_id: str) -> dict:
        """Undo a merge: the second record has its work from before; the pair is kept apart."""
        _require_admin(actor)
        a, b = pair(first_id, second_id)
        with self.uow(actor) as uow:
            decision = uow.session.scalar(
                select(WorkDecision).where(
                    WorkDecision.first_id == a,
                    WorkDecision.second_id == b,
                    WorkDecision.decision == "merged",
                )
            )
            if decision is None:
                raise InvalidInput(
                    "这两条资源没有被合并过。These two records were never merged; nothing to undo."
                )
            first, second = _both(uow.session, first_id, second_id)
            changed = works.leave(uow.session, second.id, second.work_id or second.id)
            second.work_id = decision.previous_work_id
            decision.decision, decision.actor_id = "apart", actor.user_id
            uow.audit("work.unmerge", "resource", second.id, apart_from=first.id)
            for resource_id in changed | {first.id, second.id}:
                uow.index_later(resource_id)
            uow.commit()
            return {"first": first.id, "second": second.id, "work_id": second.work_id}

    def keep_apart(self, actor: Principal, first_id: str, second_id: str) -> dict:
        """Remember that these two are different works: they are not suggested again."""
        _require_admin(actor)
        a, b = pair(first_id, second_id)
        with self.uow(actor) as uow:
            _both(uow.session, first_id, second_id)
            decision = _decision(uow.session, a, b)
            if decision.decision == "merged":
                raise InvalidInput(
                    "这两条资源已合并，请先撤销合并。"
                    "These records are merged; undo the merge first."
                )
            decision.decision, decision.actor_id = "apart", actor.user_id
            uow.audit("work.keep_apart", "resource", b, apart_from=a)
            uow.commit()
            return {"first": a, "second": b, "decision": "apart"}


def _require_admin(actor: Principal) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated("请先登录。Please sign in first.")
    if not actor.is_admin:
        raise Forbidden(
            "只有管理员可以合并重复资源，请联系平台管理员。"
            "Only administrators may merge duplicates; ask your hub's administrator."
        )


def _both(session, first_id: str, second_id: str) -> tuple[Resource, Resource]:
    if first_id == second_id:
        raise InvalidInput("请选择两条不同的资源。Choose two different records.")
    found = []
    for resource_id in (first_id, second_id):
        resource = session.get(Resource, resource_id) if isinstance(resource_id, str) else None
        if resource is None:
            raise NotFound("未找到该资源。No such resource; reload the list of duplicates.")
        found.append(resource)
    return found[0], found[1]


def _decision(session, a: str, b: str) -> WorkDecision:
    decision = session.scalar(
        select(WorkDecision).where(WorkDecision.first_id == a, WorkDecision.second_id == b)
    )
    if decision is None:
        decision = WorkDecision(first_id=a, second_id=b, decision="apart")
        session.add(decision)
    return decision


def _block(row) -> tuple:
    return (row.stage, tuple(sorted(row.subjects or ())), tuple(sorted(row.grades or ())))


def _grams(row) -> frozenset:
    return neardup.shingles(f"{row.title} {(row.description or '')[:DESCRIPTION_CHARS]}")


def _brief(row) -> dict:
    return {
        "id": row.id,
        "title": row.title,
        "description": (row.description or "")[:200],
        "links": {"self": f"/api/v1/resources/{row.id}", "html": f"/r/{row.id}"},
    }
