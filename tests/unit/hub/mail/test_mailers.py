"""The mail port's adapters: console prints, memory keeps, SMTP speaks to a server on a socket."""

from __future__ import annotations

import base64
import io
import socket
import threading

import pytest

from hub.mail import Message, mailer_from_url
from hub.mail.console import ConsoleMailer
from hub.mail.smtp import SmtpMailer

MESSAGE = Message("li@example.cn", "设置密码 Set your password", "链接 https://hub/set-password/x")


class TinySmtpServer:
    """Just enough of RFC 5321 on loopback to receive messages: what each client session sent."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sessions: list[dict] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            seen = {"commands": [], "data": b""}
            self.sessions.append(seen)  # before the reply to QUIT, which the client waits for
            with conn, conn.makefile("rb") as lines:
                self._session(conn, lines, seen)

    def _session(self, conn, lines, seen: dict) -> None:
        conn.sendall(b"220 tiny ESMTP\r\n")
        for raw in lines:
            command = raw.decode().strip()
            seen["commands"].append(command)
            verb = command.split(" ")[0].upper()
            if verb == "EHLO":
                conn.sendall(b"250-tiny\r\n250 AUTH PLAIN\r\n")
            elif verb == "AUTH":
                conn.sendall(b"235 ok\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go on\r\n")
                seen["data"] = self._data(lines)
                conn.sendall(b"250 queued\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    @staticmethod
    def _data(lines) -> bytes:
        body = b""
        for raw in lines:
            if raw == b".\r\n":
                return body
            body += raw
        return body

    def close(self):
        self.sock.close()


@pytest.fixture
def smtp_server():
    server = TinySmtpServer()
    yield server
    server.close()


def test_smtp_adapter_delivers_with_login_to_a_real_socket(smtp_server):
    mailer = mailer_from_url(f"smtp://hub%40nx:s3cret@127.0.0.1:{smtp_server.port}", "hub@nx.cn")
    mailer.send(MESSAGE)
    [session] = smtp_server.sessions
    auth = next(c for c in session["commands"] if c.startswith("AUTH"))
    assert base64.b64decode(auth.split()[-1]) == b"\0hub@nx\0s3cret"
    assert "rcpt to:<li@example.cn>" in [c.lower() for c in session["commands"]]
    assert b"From: hub@nx.cn" in session["data"] and b"Subject:" in session["data"]


def test_smtp_adapter_raises_oserror_when_no_server_listens():
    port = socket.create_server(("127.0.0.1", 0))
    free = port.getsockname()[1]
    port.close()
    with pytest.raises(OSError):
        SmtpMailer(f"smtp://127.0.0.1:{free}", "hub@nx.cn").send(MESSAGE)


def test_smtp_adapter_never_shows_its_password():
    mailer = SmtpMailer("smtps://u:hunter22@mail.example.cn", "hub@nx.cn")
    assert "hunter22" not in repr(mailer) and mailer.port == 465 and mailer.ssl


def test_console_adapter_prints_the_whole_message():
    out = io.StringIO()
    ConsoleMailer(out, "hub@nx.cn").send(MESSAGE)
    assert "To: li@example.cn" in out.getvalue() and MESSAGE.body in out.getvalue()


def test_memory_adapter_keeps_what_was_sent_and_unknown_schemes_are_refused():
    mailer = mailer_from_url("memory://", "hub@nx.cn")
    mailer.send(MESSAGE)
    assert mailer.sent == [MESSAGE]
    with pytest.raises(ValueError, match="EDUHUB_SMTP_URL"):
        mailer_from_url("sendmail://", "hub@nx.cn")
