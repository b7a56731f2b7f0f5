"""Hostile files for the sandbox tests: ZIP (DOCX, PPTX) and PNG decompression bombs, built here."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from functools import lru_cache

MB = 1 << 20
BOMB_SIZE = 2 << 30  # 2 GB of zeros in one member


@lru_cache(maxsize=4)
def _zeros_deflated(size: int) -> tuple[bytes, int]:
    """(raw deflate data, CRC-32) of `size` zero bytes, built from one repeated 1 MB block.
    After a full flush the compressor starts afresh, so every block compresses to the same bytes."""
    chunk = bytes(MB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MB):
        crc = zlib.crc32(chunk, crc)
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty last block
    return block * (size // MB) + final, crc


def _raw(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return name, compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def zip_with_bomb(base: bytes, member: str, size: int = BOMB_SIZE) -> bytes:
    """`base` (a real OOXML file) with `member` replaced by `size` zero bytes: an honest ZIP whose
    central directory declares the true size, about 1,000 times the compressed one."""
    with zipfile.ZipFile(io.BytesIO(base)) as source:
        entries = [
            _raw(i.filename, source.read(i)) for i in source.infolist() if i.filename != member
        ]
    data, crc = _zeros_deflated(size)
    entries.append((member, data, crc, size))
    out, central = io.BytesIO(), io.BytesIO()
    for name, raw, crc, usize in entries:
        offset, encoded = out.tell(), name.encode()
        header = (20, 0, 8, 0, 0x21, crc, len(raw), usize, len(encoded), 0)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *header) + encoded + raw)
        record = (20, 20, 0, 8, 0, 0x21, crc, len(raw), usize, len(encoded), 0, 0, 0, 0, 0, offset)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", *record) + encoded)
    start, directory = out.tell(), central.getvalue()
    out.write(directory)
    count = len(entries)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0))
    return out.getvalue()


def docx_bomb() -> bytes:
    import docx

    document, buf = docx.Document(), io.BytesIO()
    document.add_paragraph("看起来是一份教案")
    document.save(buf)
    return zip_with_bomb(buf.getvalue(), "word/document.xml")


def pptx_bomb() -> bytes:
    from pptx import Presentation

    deck, buf = Presentation(), io.BytesIO()
    deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = "看起来是一份课件"
    deck.save(buf)
    return zip_with_bomb(buf.getvalue(), "ppt/slides/slide1.xml")


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header declares width x height pixels (1-bit grey) over a few bytes of data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">L", len(body)) + kind + body + struct.pack(">L", zlib.crc32(kind + body))
        )

    header = struct.pack(">2L5B", width, height, 1, 0, 0, 0, 0)
    rows = zlib.compress(bytes(1 + (width + 7) // 8) * 16)  # the first rows only
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )
