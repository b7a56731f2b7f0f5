"""Outgoing mail: one port (`Mailer`) with console, SMTP and memory adapters, chosen by URL."""

from __future__ import annotations

import sys

from hub.mail.base import Mailer, Message
from hub.mail.console import ConsoleMailer
from hub.mail.memory import MemoryMailer
from hub.mail.smtp import SmtpMailer

__all__ = ["Mailer", "Message", "mailer_from_url"]


def mailer_from_url(url: str, sender: str) -> Mailer:
    """`console://` (the default: mail is printed), `memory://` (tests), `smtp://` or `smtps://`."""
    scheme = url.split(":", 1)[0]
    if scheme == "console":
        return ConsoleMailer(sys.stdout, sender)
    if scheme == "memory":
        return MemoryMailer(sender)
    if scheme in ("smtp", "smtps"):
        return SmtpMailer(url, sender)
    raise ValueError(
        f"EDUHUB_SMTP_URL 的协议 '{scheme}' 不受支持，请用 console://、smtp:// 或 smtps://。"
        f"EDUHUB_SMTP_URL scheme '{scheme}' is not supported: use console://, smtp:// or smtps://."
    )
