"""What the resource page plays and shows in place: videos and audio with their renditions and
posters, and the first readable document (a PDF, or the PDF rendition of a DOCX/PPTX)."""

from __future__ import annotations

from flask import Blueprint, url_for

from hub.http.context import current_hub
from hub.services.renditions import LOW, PDF


def media_items(record: dict) -> list[dict]:
    """One item per video or audio file, and one reader for the first document that has a PDF:
    {kind: video|audio|pdf, name, src, low, poster}, URLs on this hub (or None)."""
    files = record.get("files") or []
    made = current_hub().renditions.of_files([f["sha256"] for f in files])
    items, reader = [], None
    for f in files:
        found = made.get(f["sha256"]) or {}
        kind = _kind(f, found)
        if kind is None or (kind == "pdf" and reader is not None):
            continue  # one reader a page: each is a download on a slow line
        item = _item(record, f, kind, found)
        if kind == "pdf":
            reader = item
        else:
            items.append(item)
    return items + ([reader] if reader else [])


def _kind(file: dict, found: dict) -> str | None:
    mimetype = (file.get("mimetype") or "").lower()
    if mimetype.startswith("video/"):
        return "video"
    if mimetype.startswith("audio/"):
        return "audio"
    if mimetype == "application/pdf" or found.get("rendition") == PDF:
        return "pdf"
    return None


def _item(record: dict, file: dict, kind: str, found: dict) -> dict:
    name, rid = file["name"], record["id"]
    original = record.get("links", {}).get("files", {}).get(name)
    rendition = url_for("renditions.get_rendition", resource_id=rid, name=name)
    item = {"kind": kind, "name": name, "src": original, "low": None, "poster": None}
    item["failed"] = found.get("failed", False)
    if kind == "pdf" and found.get("rendition") == PDF:
        item["src"] = rendition  # a DOCX/PPTX is read through its PDF
    if found.get("rendition") == LOW:
        item["low"] = rendition
    if kind == "video" and found.get("poster"):
        item["poster"] = url_for("renditions.get_poster", resource_id=rid, name=name)
    return item


def register(bp: Blueprint) -> None:
    bp.add_app_template_global(media_items, "media_items")
