"""Mail printed to a stream: the default, so a hub without a mail server still shows the links."""

from __future__ import annotations

from typing import TextIO

from hub.mail.base import Mailer, Message


class ConsoleMailer(Mailer):
    def __init__(self, stream: TextIO, sender: str):
        self.stream, self.sender = stream, sender

    def send(self, message: Message) -> None:
        self.stream.write(
            f"From: {self.sender}\nTo: {message.to}\nSubject: {message.subject}\n\n"
            f"{message.body}\n\n"
        )
        self.stream.flush()
