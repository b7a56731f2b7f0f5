"""Source credentials at rest: sealed with a key derived from the hub's secret key (Fernet).

A harvest token another hub issued to this one is stored sealed in the source's options under
`token_sealed`, opened only to build the connector's configuration, and never shown again.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from hub.errors import ValidationFailed

SEALED = "token_sealed"  # the options key of a sealed token
PLAIN = "token"  # the options key a connector reads (and a caller sends)


class CredentialBox:
    """Seals and opens source credentials with the hub's key."""

    def __init__(self, secret_key: str):
        digest = hashlib.sha256(b"eduhub-source-credentials\0" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal_options(self, options: dict | None) -> dict | None:
        """`options` with a plain token replaced by its sealed form (None stays None)."""
        if not isinstance(options, dict) or PLAIN not in options:
            return options
        sealed = {k: v for k, v in options.items() if k != PLAIN}
        token = options[PLAIN]
        if not isinstance(token, str) or not token.strip() or len(token) > 4096:
            raise ValidationFailed.from_messages(
                {"token": ["令牌须为非空文本。The token must be non-empty text."]}
            )
        sealed[SEALED] = self._fernet.encrypt(token.strip().encode()).decode()
        return sealed

    def open_options(self, options: dict) -> dict:
        """`options` with a sealed token opened for the connector; one this key cannot open (the
        hub's secret key changed) is left out, so the source answers 401 and says so."""
        opened = {k: v for k, v in options.items() if k != SEALED}
        if SEALED in options:
            try:
                opened[PLAIN] = self._fernet.decrypt(options[SEALED].encode()).decode()
            except (InvalidToken, AttributeError, ValueError):
                opened.pop(PLAIN, None)
        return opened


def has_token(options: dict | None) -> bool:
    return isinstance(options, dict) and bool(options.get(SEALED) or options.get(PLAIN))
