"""Near-duplicate text: a normal form, character shingles, and candidate pairs found in bulk.

Two records are suspected duplicates when they describe the same stage, subjects and grades and
their normalised title and description share most of their character trigrams. Candidates come
from a bottom-k sketch (the k smallest shingle hashes of each record, a MinHash variant): records
that share most shingles very likely share one of those, so only records in a common bucket are
compared, never every record with every other.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import defaultdict
from collections.abc import Hashable, Iterable
from itertools import combinations

from metadata import analysis

SHINGLE = 3
SKETCH = 4  # smallest hashes kept per record: each names one bucket
MAX_BUCKET = 64  # a bucket this full is a common shingle, not a duplicate: skipped
THRESHOLD = 0.8


def normal_form(text: str | None) -> str:
    """NFKC, lower case, traditional to simplified, then only letters and digits (no spaces or
    punctuation), so spacing, width and script variants compare equal."""
    return "".join(ch for ch in analysis.normalize(text) if ch.isalnum())


def shingles(text: str | None, size: int = SHINGLE) -> frozenset[str]:
    """The character `size`-grams of the normal form (the whole form when it is shorter)."""
    form = normal_form(text)
    if len(form) <= size:
        return frozenset([form]) if form else frozenset()
    return frozenset(form[i : i + size] for i in range(len(form) - size + 1))


def similarity(a: frozenset, b: frozenset) -> float:
    """Jaccard similarity of two shingle sets; two empty sets are not similar."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _hash(shingle: str) -> int:
    # Stable across processes (Python's own hash() of str is salted per process).
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")


def sketch(grams: frozenset) -> list[int]:
    return heapq.nsmallest(SKETCH, map(_hash, grams))


def candidate_pairs(items: Iterable[tuple[Hashable, Hashable, frozenset]]) -> set[tuple]:
    """(id, id) pairs, smaller id first, that share a bucket: `items` are (id, block, shingles);
    only records in the same block (stage, subjects and grades) are paired."""
    buckets: dict[tuple, list] = defaultdict(list)
    for item_id, block, grams in items:
        for value in sketch(grams):
            buckets[(block, value)].append(item_id)
    pairs: set[tuple] = set()
    for members in buckets.values():
        if 1 < len(members) <= MAX_BUCKET:
            pairs.update(combinations(sorted(set(members)), 2))
    return pairs


def near_duplicates(
    items: Iterable[tuple[Hashable, Hashable, frozenset]], threshold: float = THRESHOLD
) -> list[tuple]:
    """(id, id, similarity) of the pairs at least `threshold` similar, most similar first."""
    items = list(items)
    grams = {item_id: g for item_id, _block, g in items}
    found = []
    for a, b in candidate_pairs(items):
        score = similarity(grams[a], grams[b])
        if score >= threshold:
            found.append((a, b, round(score, 3)))
    return sorted(found, key=lambda t: (-t[2], t[0], t[1]))
