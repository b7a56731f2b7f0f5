"""API token generation and digests."""

import hashlib

from hub.security import tokens


def test_tokens_have_the_prefix_and_enough_randomness():
    token = tokens.generate()
    assert token.startswith("ehk_")
    assert len(token) == len("ehk_") + 43  # 32 bytes, url-safe base64 without padding
    assert tokens.looks_like_token(token)


def test_tokens_are_unique():
    assert len({tokens.generate() for _ in range(1000)}) == 1000


def test_digest_is_sha256_hex_and_the_display_prefix_is_short():
    token = tokens.generate()
    assert tokens.digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert tokens.display_prefix(token) == token[:8]


def test_foreign_strings_do_not_look_like_tokens():
    assert not tokens.looks_like_token("Basic abc")
    assert not tokens.looks_like_token("ehk_short")
