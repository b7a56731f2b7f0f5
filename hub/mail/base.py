"""The mail port: a message and the one method every adapter has."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    body: str  # plain text


class Mailer(ABC):
    sender: str

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver one message or raise OSError (the caller reports what was not sent)."""
