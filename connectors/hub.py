"""Another EduHub as a source: its changes feed (`/api/v1/changes`) and its files."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

from connectors.base import Connector, ConnectorError, Delete, Failed, Item, RemoteFile, Upsert
from connectors.outbound import bearer, public_link
from metadata import provenance
from metadata.schema import EDITABLE_FIELDS

PAGE = 500
MAX_PAGES = (
    10_000  # feed pages in one run (5 million changes); the next run goes on from the cursor
)
# What a peer may tell of a record: the editable fields and when it was published.
RECORD_FIELDS = (*EDITABLE_FIELDS, "published")


class HubConnector(Connector):
    """Cursor: the other hub's feed cursor (`next`). External id: the other hub's resource id."""

    kind = "hub"

    def harvest(self, cursor: str | None, *, full: bool) -> Iterator[Item]:
        since = None if full else cursor
        for _page in range(int(self.config.options.get("max_pages", MAX_PAGES))):
            page = self._page(since)
            changes, next_cursor = page["changes"], page["next"]
            for i, change in enumerate(changes):
                # The page's last item carries `next`, which may be past it (rows we may not see).
                after = next_cursor if i == len(changes) - 1 else str(change.get("seq", ""))
                yield self._item(change, after)
            if next_cursor in (None, since) or next_cursor == str(since):
                return
            since = next_cursor
        raise ConnectorError(
            f"{self.config.url}: the changes feed does not end within {_page + 1} pages in one "
            "run; stopped. The next run goes on from the last saved cursor."
        )

    def retry(self, external_id: str, payload) -> Item:
        if isinstance(payload, dict) and "resource" in payload:
            return self._item(payload, None)
        return super().retry(external_id, payload)

    def _page(self, since: str | None) -> dict:
        params = {"limit": str(self.config.options.get("page_size", PAGE))}
        if since:
            params["since"] = since
        page = self.http.get_json(self._url("/api/v1/changes"), params=params, headers=self._auth())
        if (
            not isinstance(page, dict)
            or not isinstance(page.get("changes"), list)
            or "next" not in page
        ):
            raise ConnectorError(
                f"{self.config.url}: the changes feed answered something that is not a feed page"
            )
        return page

    def _item(self, change: dict, after: str | None) -> Item:
        resource = change.get("resource") if isinstance(change, dict) else None
        if not isinstance(resource, dict) or not resource.get("id"):
            return Failed(
                str(change.get("seq", "?")) if isinstance(change, dict) else "?",
                "a change without a resource id",
                change,
                after,
            )
        external_id = str(resource["id"])
        if change.get("op") == "delete":
            return Delete(external_id, after)
        if change.get("op") != "upsert":
            return Failed(external_id, f"unknown op {change.get('op')!r}", change, after)
        record = {k: resource[k] for k in RECORD_FIELDS if k in resource}
        html = (resource.get("links") or {}).get("html")
        page = html if isinstance(html, str) and html else f"/r/{external_id}"
        record["origin_url"] = public_link(self._url(page))
        carried = provenance.carried(resource.get("provenance"))  # the first origin, typed
        if carried:
            record["provenance"] = carried
        return Upsert(external_id, record, self._files(resource), after)

    def _files(self, resource: dict) -> list[RemoteFile]:
        links = (resource.get("links") or {}).get("files") or {}
        links = links if isinstance(links, dict) else {}
        files = resource.get("files") if isinstance(resource.get("files"), list) else []
        return [self._file(resource["id"], f, links) for f in files if isinstance(f, dict)]

    def _file(self, resource_id: str, f: dict, links: dict) -> RemoteFile:
        """One announced file; what the peer says of it is typed here and checked by the fetcher."""
        name = str(f.get("name") or "")
        href = links.get(name)
        href = href if isinstance(href, str) else f"/api/v1/resources/{resource_id}/files/{name}"
        size, sha256 = f.get("size"), f.get("sha256")
        return RemoteFile(
            name=name,
            url=self._url(href),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            sha256=sha256 if isinstance(sha256, str) else None,
            mimetype=None,  # the hub sniffs the type itself
            headers=self._auth(href),
        )

    def _url(self, path: str) -> str:
        return urljoin(self.config.url.rstrip("/") + "/", path.lstrip("/"))

    def _auth(self, path: str = "") -> dict:
        """The bearer token, for the source's own origin only (the client drops it elsewhere)."""
        return bearer(self.config.options.get("token"), self._url(path), self.config.url)
