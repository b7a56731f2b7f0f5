"""The Chinese analyser: the same tokens for documents and queries, whatever the script, width or
case."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from metadata import analysis
from metadata.pinyin import suggest_keys, suggest_prefix

TEXT = st.text(
    alphabet=st.one_of(
        st.characters(), st.sampled_from("分数的加法吴忠市數學ＡＢＣ１２３，。！　 ")
    ),
    max_size=60,
)
ASCII_PRINTABLE = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30
)


def to_full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@settings(max_examples=150)
@given(TEXT)
def test_analysis_never_raises_and_tokens_are_non_empty_strings_without_spaces(text):
    for token in analysis.tokens(text) + analysis.query_tokens(text) + analysis.bigrams(text):
        assert isinstance(token, str) and token and not any(c.isspace() for c in token)
    analysis.highlight(text, analysis.query_tokens(text), limit=20)
    suggest_keys(text)


@settings(max_examples=150)
@given(TEXT)
def test_normalisation_is_idempotent(text):
    once = analysis.normalize(text)
    assert analysis.normalize(once) == once


@given(ASCII_PRINTABLE)
def test_full_width_text_analyses_like_half_width(text):
    assert analysis.normalize(to_full_width(text)) == analysis.normalize(text)
    assert analysis.tokens(to_full_width(text)) == analysis.tokens(text)


@given(TEXT)
def test_highlight_escapes_html_and_only_adds_marks(text):
    out = analysis.highlight(text, ["分数"])
    plain = out.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in plain and ">" not in plain


def test_traditional_characters_fold_to_simplified():
    assert analysis.normalize("數學課程") == "数学课程"
    assert analysis.tokens("數學") == analysis.tokens("数学")


def test_punctuation_goes_and_case_folds_but_cpp_survives():
    assert analysis.normalize("《分数》，Hello！C++") == "分数 hello c++"


def test_region_names_are_words_and_their_short_names_sub_words():
    tokens = analysis.tokens("吴忠市利通区")
    assert {"吴忠市", "吴忠", "利通区"} <= set(tokens)


def test_mixed_chinese_english_and_digits():
    tokens = analysis.tokens("Unit 1 Hello！三年级英语")
    assert tokens[:3] == ["unit", "1", "hello"] and {"三年级", "英语"} <= set(tokens)


def test_query_drops_function_words_unless_nothing_else_is_left():
    assert analysis.query_tokens("分数的加法") == ["分数", "加法"]
    assert analysis.query_tokens("的") == ["的"]


def test_bigrams_cover_sub_words():
    assert analysis.bigrams("吴忠市") == ["吴忠", "忠市"]
    assert analysis.token_bigrams("吴忠") == ["吴忠"]
    assert analysis.token_bigrams("hello") == [] and analysis.token_bigrams("分") == []


def test_highlight_marks_original_text_cut_around_the_first_match():
    assert analysis.highlight("《數學》<b>", ["数学"]) == "《<mark>數學</mark>》&lt;b&gt;"
    snippet = analysis.highlight("甲" * 200 + "分数" + "乙" * 200, ["分数"], limit=40)
    assert "<mark>分数</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")


def test_suggest_keys_hold_title_full_pinyin_and_initials():
    keys = suggest_keys("分数的加法")
    assert {"分数的加法", "fenshudejiafa", "fsdjf", "加法", "jiafa", "jf"} <= set(keys)
    assert suggest_prefix("Fen Shu") == "fenshu"
    assert unicodedata.normalize("NFKC", "ｆｓ") == suggest_prefix("ｆｓ")


def _slow_normalized_with_map(text):
    """The per-character definition the fast path of highlighting must equal."""
    folded, origin = [], []
    for i, ch in enumerate(text):
        for out in analysis._fold(ch):
            folded.append(out)
            origin.append(i)
    return "".join(folded), origin


@settings(max_examples=200)
@given(TEXT)
def test_highlight_folding_maps_characters_exactly_as_one_at_a_time(text):
    folded, origin = analysis._normalized_with_map(text)
    assert (folded, list(origin)) == _slow_normalized_with_map(text)


def _highlight_one_field_at_a_time(text, words, limit):
    """The highlighter as it was before hits' fields were searched together: the oracle."""
    folded, origin = analysis._normalized_with_map(text)
    spans = []
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        start = folded.find(word)
        while start >= 0:
            spans.append((origin[start], origin[start + len(word) - 1] + 1))
            start = folded.find(word, start + len(word))
    return analysis._cut(text, analysis._merge(spans), limit)


WORDS = st.lists(
    st.sampled_from(["分数", "数", "加法", "abc", "數學", "\n", "c++", "1"]), max_size=4
)


@settings(max_examples=200)
@given(TEXT, TEXT, WORDS, st.sampled_from([None, 5, 20]))
def test_a_hit_s_fields_marked_together_are_marked_as_each_alone(title, description, words, limit):
    marked = analysis.Highlighter(words).mark((title, None), (description, limit))
    assert marked == [
        _highlight_one_field_at_a_time(title, words, None),
        _highlight_one_field_at_a_time(description, words, limit),
    ]
    assert analysis.highlight(description, words, limit=limit) == marked[1]
