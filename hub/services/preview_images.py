"""Preview pictures made inside the sandboxed child (hub/sandbox.py): an image scaled by Pillow,
a PPTX's first embedded picture. Kept apart from the preview service so that the child imports
Pillow and the standard library only, not the database models."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from hub import sandbox

SIZE = 640  # longest side of a preview, in pixels
MAX_SOURCE = 200 * 1024 * 1024  # bytes: larger files are not rendered


@dataclass
class Rendered:
    png: bytes
    width: int
    height: int
    kind: str


def image_preview(data: bytes, kind: str = "image") -> Rendered:
    """Any image Pillow reads -> a PNG at most SIZE on its longest side. Raises on broken or huge
    images (the sandbox sets Pillow's pixel limit and makes its bomb warning an error)."""
    from PIL import Image  # heavy; only the sandboxed child needs it

    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (SIZE, SIZE))  # JPEG decodes straight at a smaller scale
        img.thumbnail((SIZE, SIZE))
        out = img.convert("RGB")
    buf = io.BytesIO()
    out.save(buf, "PNG", optimize=True)
    return Rendered(buf.getvalue(), out.width, out.height, kind)


def image_file(path: str, kind: str) -> dict:
    """The preview of the image at `path`, as JSON for the parent."""
    return _as_json(image_preview(Path(path).read_bytes(), kind))


def pptx_picture(path: str) -> dict | None:
    """The first slide's first embedded picture, if it has one (a cheap stand-in for rendering)."""
    sandbox.check_zip(path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        rels = "ppt/slides/_rels/slide1.xml.rels"
        if rels not in names or zf.getinfo(rels).file_size > 1 << 20:  # a rels file is a few KB
            return None
        for target in re.findall(rb'Target="\.\./media/([^"]+)"', zf.read(rels)):
            member = "ppt/media/" + target.decode("utf-8", "replace")
            info = zf.getinfo(member) if member in names else None
            if info and info.file_size <= MAX_SOURCE // 4:
                try:
                    return _as_json(image_preview(zf.read(member), "pptx"))
                except (sandbox.LimitExceeded, MemoryError):
                    raise
                except Exception:  # an EMF or a broken picture: try the next one
                    continue
    return None


def _as_json(rendered: Rendered) -> dict:
    png = base64.b64encode(rendered.png).decode("ascii")
    return {"png": png, "width": rendered.width, "height": rendered.height, "kind": rendered.kind}
