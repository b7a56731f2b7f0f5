"""The bytes of each demo file: copies of the committed assets, made distinct per resource where
that is cheap."""

from __future__ import annotations

import io
import textwrap
from functools import cache, lru_cache
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
# File names a teacher would recognise, by asset.
KINDS = {
    "cover.png": "封面",
    "lesson.pdf": "课件讲义",
    "worksheet.docx": "学案",
    "reading.mp3": "音频",
    "microlesson.mp4": "视频",
}


@cache
def asset(name: str) -> bytes:
    return (ASSETS / name).read_bytes()


def demo_file(asset_name: str, title: str, topic: str, serial: int) -> tuple[str, bytes]:
    """(file name, bytes) for one resource. Audio and video stay shared: the store keeps them
    once."""
    stem = topic.strip("《》")[:40] or "资源"
    suffix = Path(asset_name).suffix
    name = f"{stem}-{KINDS.get(asset_name, '文件')}{suffix}"
    data = asset(asset_name)
    if suffix == ".png":
        data = _png_with_title(title)
    elif suffix == ".pdf":
        data = _pdf_with_serial(data, serial)
    elif suffix == ".docx":
        data = _zip_with_comment(data, f"EduHub demo resource {serial}")
    return name, data


def _png_with_title(title: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont  # Pillow is heavy; only seeding draws

    image = Image.open(io.BytesIO(asset("cover.png"))).convert("RGB")
    draw = ImageDraw.Draw(image)
    font = _font(34) if FONT.exists() else ImageFont.load_default()
    for i, line in enumerate(textwrap.wrap(title, 20)[:4]):
        draw.text((40, 120 + i * 52), line, font=font, fill=(30, 41, 59))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # speed over size: ~100 demo covers
    return out.getvalue()


@lru_cache(maxsize=4)
def _font(size: int):
    from PIL import ImageFont  # Pillow is heavy; only seeding draws

    return ImageFont.truetype(str(FONT), size)


def _pdf_with_serial(data: bytes, serial: int) -> bytes:
    """A comment line after the trailer, before `startxref`: the xref offsets stay valid, the bytes
    differ."""
    marker = data.rfind(b"startxref")
    if marker < 0:
        return data
    return data[:marker] + f"% eduhub-demo {serial}\n".encode() + data[marker:]


def _zip_with_comment(data: bytes, comment: str) -> bytes:
    """Set the archive comment in the end-of-central-directory record (the asset is saved without
    one)."""
    if data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\x00\x00":
        return data
    raw = comment.encode()
    return data[:-2] + len(raw).to_bytes(2, "little") + raw
