"""An engine-neutral plan of a search (a small boolean tree) that each adapter translates to its own
queries.

Building the plan once, here, is what makes every engine apply the same tokens, boosts, filters and
scope. Facet counts exclude their own filter ("disjunctive" facets): ticking 数学 still shows how
many 语文 there are, while every other filter, the query and the caller's scope still apply, so
nobody counts what they cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.search.base import Hit, Scope, SearchQuery
from hub.security.regions import region_ancestors
from hub.security.visibility import RULE, Grant
from metadata import analysis
from metadata.pinyin import suggest_prefix

# Word fields and their weights: title over keywords over description over extracted text.
WORD_FIELDS = (("title_w", 5.0), ("keywords_w", 3.0), ("description_w", 2.0), ("text_w", 1.0))
BIGRAM_FIELD, BIGRAM_BOOST = "bigrams", 0.5  # recall only: ranked below any word match
FILTER_FIELDS = {"region": "region_path", "org_tree": "org_path"}
FACET_SIZE = 200
SNIPPET = 160


@dataclass(frozen=True)
class Term:
    """Scored match of one (already analysed) token."""

    field: str
    value: str
    boost: float = 1.0


@dataclass(frozen=True)
class Terms:
    """Unscored exact match of any of `values`."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    field: str
    value: str


@dataclass(frozen=True)
class And:
    children: tuple


@dataclass(frozen=True)
class Or:
    children: tuple


@dataclass(frozen=True)
class Everything:
    pass


@dataclass(frozen=True)
class Not:
    """Unscored: documents that do not match `child`."""

    child: object


@dataclass
class Plan:
    text: object | None  # scored part, None for filter-only searches
    scope: object  # unscored: what the caller may read
    filters: dict[str, object]  # facet/filter name -> unscored node
    sort: str
    offset: int
    size: int
    facets: tuple[str, ...]
    words: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.highlighter = analysis.Highlighter(self.words)

    def filter(self, exclude: str | None = None):
        """Scope plus every filter but `exclude`, as one unscored node."""
        nodes = [self.scope] + [node for name, node in self.filters.items() if name != exclude]
        return conjunction(nodes)

    def facet_groups(self) -> list[tuple[object, list[str]]]:
        """Facets that share the same filter are counted together: one aggregation request per
        group."""
        shared = [f for f in self.facets if f not in self.filters]
        groups = [(self.filter(), shared)] if shared else []
        groups += [(self.filter(exclude=f), [f]) for f in self.facets if f in self.filters]
        return groups

    def highlights(self, title: str, description: str) -> dict[str, str]:
        marked_title, marked_description = self.highlighter.mark(
            (title, None), (description, SNIPPET)
        )
        return {"title": marked_title, "description": marked_description}

    def hit(self, id: str, score: float, title: str, description: str) -> Hit:
        return Hit(id=id, score=float(score), highlights=self.highlights(title, description))


def conjunction(nodes):
    nodes = tuple(n for n in nodes if not isinstance(n, Everything))
    if not nodes:
        return Everything()
    return nodes[0] if len(nodes) == 1 else And(nodes)


def disjunction(nodes):
    nodes = tuple(nodes)
    return nodes[0] if len(nodes) == 1 else Or(nodes)


def plan(query: SearchQuery) -> Plan:
    words = analysis.query_tokens(query.q)
    sort = query.sort
    if sort == "relevance" and not words:
        sort = "newest"  # nothing to rank by: the newest first, the same in every engine
    filters = {
        name: Terms(FILTER_FIELDS.get(name, name), tuple(values))
        for name, values in sorted(query.filters.items())
    }
    return Plan(
        text=text_node(words),
        scope=scope_node(query.scope),
        filters=filters,
        sort=sort,
        offset=query.offset,
        size=query.size,
        facets=tuple(dict.fromkeys(query.facets)),
        words=words,
    )


def text_node(words: list[str]):
    """Every word must match, in some word field or (for Chinese words) as all of its bigrams."""
    if not words:
        return None
    clauses = []
    for word in words:
        options = [Term(name, word, boost) for name, boost in WORD_FIELDS]
        grams = analysis.token_bigrams(word)
        if grams:
            options.append(conjunction(Term(BIGRAM_FIELD, g, BIGRAM_BOOST) for g in grams))
        clauses.append(Or(tuple(options)))
    return conjunction(clauses)


def scope_node(scope: Scope):
    nodes = []
    if scope.published_only:
        nodes += [Terms("status", ("published",)), Terms("is_latest", ("true",))]
    if not scope.all:
        nodes.append(visibility_node(scope))
    return conjunction(nodes)


def visibility_node(scope: Scope):
    """Search reading of the one visibility rule (hub.security.visibility.RULE)."""
    options = []
    for name, grants in RULE.items():
        nodes = [n for n in (grant_node(g, scope) for g in grants) if n is not None]
        if nodes:
            options.append(conjunction((Terms("visibility", (name,)), disjunction(nodes))))
    return disjunction(options)


def grant_node(grant: Grant, scope: Scope):
    """One grant as an unscored node; None when the caller cannot hold it."""
    if grant is Grant.ANYONE:
        return Everything()
    if scope.public_only:
        return None
    if grant is Grant.MEMBER:
        org_ids = tuple(str(i) for i in sorted(scope.org_ids))
        return Terms("org_path", org_ids) if org_ids else None
    regions = tuple(sorted(scope.regions))
    if not regions:
        return None
    # The record's region lies inside one of the caller's, or contains one of them.
    ancestors = tuple(sorted({a for r in regions for a in region_ancestors(r)}))
    return Or((Terms("region_path", regions), Terms("region", ancestors)))


def suggest_nodes(prefix: str, scope: Scope):
    """(prefix node, scope node) for completions; None when the prefix is empty after folding."""

    folded = suggest_prefix(prefix)
    if not folded:
        return None
    return Prefix("suggest", folded), scope_node(scope)


def sorted_buckets(pairs) -> list[tuple[str, int]]:
    """Facet buckets in one order for every engine: count descending, then code."""
    return sorted(
        ((str(k), int(c)) for k, c in pairs if int(c) > 0), key=lambda kc: (-kc[1], kc[0])
    )
