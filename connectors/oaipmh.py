"""OAI-PMH 2.0 harvester: ListRecords with resumption tokens, from/until, sets and deletions, parsed
safely.

Cursor (JSON): {"from": high-water datestamp of finished runs, "token": the next resumption token
while a list is part-way, "high": the highest datestamp seen in this list}. A saved token that the
source no longer knows is dropped and the list restarts from "from"; the upserts are idempotent, so
nothing is lost or doubled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

from lxml import etree

from connectors.base import Connector, ConnectorError, Delete, Failed, Item, Upsert
from connectors.outbound import bearer
from metadata.crosswalks import VocabLookup, default_lookup, lom, oai_dc, restrict
from metadata.xml import XMLRejected, parse_xml

NS = "http://www.openarchives.org/OAI/2.0/"
CROSSWALKS = {"oai_dc": oai_dc.from_oai_dc, "lom": lom.from_lom}
MAX_PAGES = (
    5_000  # pages of one list in one run (500,000 records at 100 a page); the next run resumes
)
MAX_EMPTY_PAGES = 5  # pages with a token and no records in a row
MAX_PAGE_BYTES = 64 * 1024 * 1024


class OaiPmhError(ConnectorError):
    """The repository answered with an OAI-PMH error (badArgument, cannotDisseminateFormat, ...)."""

    def __init__(self, code: str, message: str):
        super().__init__(f"OAI-PMH error {code}: {message}")
        self.code = code


class CachedLookup(VocabLookup):
    """Labels and codes repeat from record to record: each is looked up once per harvest (the
    crosswalk's main cost)."""

    LIMIT = (
        50_000  # distinct look-ups and crosswalk texts kept; free text in dc:subject is unbounded
    )

    def __init__(self, vocabularies=None):
        super().__init__(vocabularies)
        self._memo: dict[tuple, object] = {}
        self._codes: dict[str, frozenset[str]] = {}

    def code_for(self, vocab: str, text: str | None) -> str | None:
        return self.remembered(("code", vocab, text), super().code_for, vocab, text)

    def has(self, vocab: str, code: str | None) -> bool:
        codes = self._codes.get(vocab)
        if codes is None:  # a vocabulary's codes as a set, once: cheaper than a memo per code
            vocabulary = self._get(vocab)
            codes = self._codes[vocab] = frozenset(
                vocabulary.codes if vocabulary is not None else ()
            )
        return isinstance(code, str) and code in codes

    def remembered(self, key: tuple, compute, *args):
        """Also what a crosswalk makes of one text (its keys are 2-tuples, code_for's 3-tuples)."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value from a strange record: look it up every time
            return compute(*args)
        if len(self._memo) >= self.LIMIT:
            self._memo.clear()
        found = self._memo[key] = compute(*args)
        return found


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


_HEADER, _IDENTIFIER, _DATESTAMP, _METADATA = (
    _q("header"),
    _q("identifier"),
    _q("datestamp"),
    _q("metadata"),
)


class OaiPmhConnector(Connector):
    kind = "oaipmh"

    def __init__(self, source_config, http):
        super().__init__(source_config, http)
        self.prefix = source_config.metadata_prefix or "oai_dc"
        if self.prefix not in CROSSWALKS:
            raise ConnectorError(
                f"metadata prefix {self.prefix!r} is not supported; use oai_dc or lom"
            )
        options = source_config.options or {}
        self.max_pages = int(options.get("max_pages", MAX_PAGES))
        self.vocab = CachedLookup(default_lookup().vocabularies)

    # -- the run -----------------------------------------------------------------------------------
    def harvest(self, cursor: str | None, *, full: bool) -> Iterator[Item]:
        state = {} if full or not cursor else _load_cursor(cursor)
        if state.get("token"):
            try:
                yield from self._list(state, resume=True)
                return
            except OaiPmhError as exc:
                if exc.code != "badResumptionToken":
                    raise
                state = {
                    "from": state.get("from")
                }  # the source forgot the token: start the list again
        yield from self._list(state, resume=False)

    def _list(self, state: dict, *, resume: bool) -> Iterator[Item]:
        start, high = state.get("from"), state.get("high") or state.get("from")
        params = (
            {"verb": "ListRecords", "resumptionToken": state["token"]}
            if resume
            else self._first_params(start)
        )
        seen_tokens: set[str] = set()
        empty_pages = 0
        for _page in range(self.max_pages):
            root = self._fetch(params)
            if root is None:
                break  # noRecordsMatch
            records, token = _records_and_token(root)
            items, stamps = self._items(records)
            high = max([high or "", *stamps]) or None
            empty_pages = 0 if records else empty_pages + 1
            if empty_pages >= MAX_EMPTY_PAGES:
                raise ConnectorError(
                    f"{self.config.url}: {empty_pages} pages in a row without records; stopped"
                )
            if token:
                if token in seen_tokens:
                    raise ConnectorError(
                        f"{self.config.url}: resumption token {token[:60]!r} came back again; "
                        "the list would never end, so the harvest stopped"
                    )
                seen_tokens.add(token)
            cursor = _dump_cursor(
                {"from": start, "token": token, "high": high} if token else {"from": high}
            )
            yield from _with_cursor(items, cursor)
            if not token:
                return
            params = {"verb": "ListRecords", "resumptionToken": token}
        else:
            raise ConnectorError(
                f"{self.config.url}: more than {self.max_pages} pages in one run: "
                "the list does not end here. "
                "Stopped; the next run resumes it from the saved resumption token."
            )

    def _first_params(self, start: str | None) -> dict:
        params = {"verb": "ListRecords", "metadataPrefix": self.prefix}
        if self.config.set_spec:
            params["set"] = self.config.set_spec
        if start:
            params["from"] = self._granular(start)
        until = (self.config.options or {}).get("until")
        if until:
            params["until"] = until
        return params

    def _granular(self, datestamp: str) -> str:
        """A source with day granularity must not be sent seconds."""
        if (self.config.options or {}).get("granularity") == "YYYY-MM-DD":
            return datestamp[:10]
        return datestamp

    # -- one page ----------------------------------------------------------------------------------
    def _fetch(self, params: dict):
        # A harvest token another EduHub issued to this one, for its own origin only.
        auth = bearer((self.config.options or {}).get("token"), self.config.url, self.config.url)
        body = self.http.get_bytes(
            self.config.url, params=params, headers=auth, max_bytes=MAX_PAGE_BYTES
        )
        try:
            root = parse_xml(body)
        except XMLRejected as exc:
            raise ConnectorError(f"{self.config.url}: unusable page: {exc}") from None
        if root.tag != _q("OAI-PMH"):
            raise ConnectorError(
                f"{self.config.url}: not an OAI-PMH response (root element {str(root.tag)[:80]!r})"
            )
        errors = root.findall(_q("error"))
        if errors:
            codes = {e.get("code") for e in errors}
            if codes == {"noRecordsMatch"}:
                return None
            first = errors[0]
            raise OaiPmhError(
                (first.get("code") or "unknown")[:60], (first.text or "").strip()[:200]
            )
        if root.find(_q("ListRecords")) is None:
            raise ConnectorError(f"{self.config.url}: the answer has no ListRecords element")
        return root

    def _items(self, records) -> tuple[list[Item], list[str]]:
        """The page's items, and every record's header datestamp (for the high-water mark)."""
        crosswalk, items, stamps = CROSSWALKS[self.prefix], [], []
        for record in records:
            header = record.find(_HEADER)
            found = header is not None
            stamps.append((header.findtext(_DATESTAMP) or "").strip() if found else "")
            identifier = (header.findtext(_IDENTIFIER) or "").strip() if found else ""
            if not identifier:
                items.append(Failed("", "record without a header identifier", _excerpt(record)))
            elif header.get("status") == "deleted":
                items.append(Delete(identifier))
            else:
                items.append(self._upsert(identifier, record, crosswalk))
        return items, stamps

    def _upsert(self, identifier: str, record, crosswalk) -> Item:
        metadata = record.find(_METADATA)
        payload = metadata[0] if metadata is not None and len(metadata) else None
        if payload is None:
            return Failed(identifier, "record without metadata", _excerpt(record))
        try:
            mapped = restrict(crosswalk(payload, vocab=self.vocab), self.vocab)
        except (ValueError, TypeError, AttributeError) as exc:
            return Failed(identifier, f"metadata could not be read: {exc}", _excerpt(record))
        if not mapped.get("title"):
            return Failed(identifier, "record has no title", _excerpt(record))
        mapped.pop("org", None)  # the source's settings decide the organisation
        return Upsert(identifier, mapped)


def _records_and_token(root) -> tuple[list, str | None]:
    container = root.find(_q("ListRecords"))
    records = container.findall(_q("record"))
    token_element = container.find(_q("resumptionToken"))
    token = (token_element.text or "").strip() if token_element is not None else ""
    return records, token or None


def _with_cursor(items: list, cursor: str) -> Iterator[Item]:
    """Only the page's last item carries the cursor: resuming mid-page is not possible with
    tokens."""
    yield from items[:-1]  # made without a cursor
    if items:
        yield replace(items[-1], cursor_after=cursor)


def _excerpt(element) -> str:
    return etree.tostring(element, encoding="unicode")[:4000]


def _load_cursor(cursor: str) -> dict:
    try:
        value = json.loads(cursor)
    except ValueError:
        return {"from": cursor}  # a bare datestamp from an operator
    return value if isinstance(value, dict) else {}


def _dump_cursor(state: dict) -> str:
    return json.dumps({k: v for k, v in state.items() if v}, separators=(",", ":"))
