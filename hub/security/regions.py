"""Region codes (GB/T 2260, six digits: province, city, county) and how they contain each other."""

from __future__ import annotations


def region_prefix(code: str) -> str:
    """640100 -> '6401', 640000 -> '64', 640104 -> '640104'."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def region_within(inner: str, outer: str) -> bool:
    """True when region `inner` equals `outer` or lies inside it (640104 in 640100 in 640000)."""
    return region_prefix(inner).startswith(region_prefix(outer))


def region_ancestors(code: str | None) -> list[str]:
    """640302 -> ['640000', '640300', '640302']: the regions that contain this one, broadest
    first, the region itself last (the order of a search document's region path). A code that
    is not six digits is only itself."""
    if not code:
        return []
    code = str(code).strip()
    if len(code) != 6 or not code.isdigit():
        return [code]
    return list(dict.fromkeys([code[:2] + "0000", code[:4] + "00", code]))
