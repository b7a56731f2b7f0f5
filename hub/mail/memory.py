"""Mail kept in a list: the adapter unit tests read the sent messages from."""

from __future__ import annotations

from hub.mail.base import Mailer, Message


class MemoryMailer(Mailer):
    def __init__(self, sender: str):
        self.sender = sender
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)
