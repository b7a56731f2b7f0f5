"""Mail through an SMTP server: `smtp://user:password@host:587?starttls=1` or `smtps://host:465`."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from hub.mail.base import Mailer, Message

TIMEOUT = 30


class SmtpMailer(Mailer):
    def __init__(self, url: str, sender: str):
        parts = urlsplit(url)
        self.ssl = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.ssl else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.sender = sender

    def __repr__(self) -> str:  # never the password, which a log line could otherwise carry
        return f"SmtpMailer({self.host}:{self.port}, ssl={self.ssl}, starttls={self.starttls})"

    def send(self, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, message.to, message.subject
        mail.set_content(message.body)
        with self._connect() as server:
            if self.starttls:
                server.starttls()
            if self.user:
                server.login(self.user, self.password or "")
            server.send_message(mail)

    def _connect(self) -> smtplib.SMTP:
        if self.ssl:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT)
        return smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
