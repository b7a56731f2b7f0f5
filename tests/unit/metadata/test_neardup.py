"""The near-duplicate normal form and the bulk candidate search."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from metadata import neardup

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)


@given(TEXT)
def test_the_normal_form_is_idempotent_and_only_letters_and_digits(text):
    form = neardup.normal_form(text)
    assert neardup.normal_form(form) == form
    assert all(ch.isalnum() for ch in form)


@given(TEXT, st.sampled_from([" ", "　", "，", "!", "\u3000\t", "（）"]))
def test_spacing_punctuation_and_width_do_not_matter(text, noise):
    spaced = noise.join(text)
    assert neardup.normal_form(spaced) == neardup.normal_form(text)


@given(TEXT, TEXT)
def test_similarity_is_symmetric_and_bounded(a, b):
    ga, gb = neardup.shingles(a), neardup.shingles(b)
    score = neardup.similarity(ga, gb)
    assert score == neardup.similarity(gb, ga)
    assert 0.0 <= score <= 1.0
    if ga:
        assert neardup.similarity(ga, ga) == 1.0


def test_traditional_full_width_and_spacing_variants_are_one_text():
    assert neardup.normal_form("認識百分數 （第1課時）") == neardup.normal_form(
        "认识百分数(第1课时)"
    )


def test_near_identical_records_in_one_block_are_found_and_others_are_not():
    text = "认识百分数：结合生活实例理解百分数的意义，会读写百分数，并完成课堂练习与拓展阅读。"
    items = [
        ("a", "math-5", neardup.shingles(text)),
        ("b", "math-5", neardup.shingles(text.replace("。", "！") + " ")),
        ("c", "chinese-5", neardup.shingles(text)),  # another subject: never paired
        ("d", "math-5", neardup.shingles("光合作用：植物如何利用阳光制造养分的实验与观察记录。")),
    ]
    assert [(a, b) for a, b, _ in neardup.near_duplicates(items)] == [("a", "b")]


def test_a_bucket_everyone_shares_is_not_compared_pairwise():
    common = neardup.shingles("同一段文字")
    items = [(f"r{i}", "block", common) for i in range(neardup.MAX_BUCKET + 1)]
    assert neardup.candidate_pairs(items) == set()
