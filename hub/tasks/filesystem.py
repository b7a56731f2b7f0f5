"""kombu's filesystem transport with atomic writes: the embedded broker of a single-machine hub.

kombu writes a message file in place, so a consumer can open it before the producer wrote a byte,
read nothing and stop the worker with "Unrecoverable error" (kombu issue 1551). Here a message is
written under a temporary name outside the queue folder and renamed into it, which is atomic on
one filesystem: the consumer sees a whole file or none.

The exchange tables (which queue an exchange routes to) had the same race: kombu creates a table
file empty and only then locks it, so a second process starting at the same moment could read the
empty file and fail to send its first task. Here every change to a table holds one lock file of the
control folder and replaces the table by rename; readers see a whole table or none.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        incoming = Path(self.data_folder_out).parent / "incoming"
        staged = incoming / name
        try:
            incoming.mkdir(exist_ok=True)
            with open(staged, "wb") as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.rename(staged, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise ChannelError(f"Cannot add file {name!r} to the queue folder") from exc

    def _get(self, queue):
        try:
            return super()._get(queue)
        except ValueError:
            # An unreadable message (written by an older hub, or a damaged disk) is dropped with a
            # log line; letting it through would stop the worker again on every restart.
            log.error("dropped an unreadable message from the embedded broker's queue %s", queue)
            raise Empty() from None

    def get_table(self, exchange):
        return self._read_table(self._exchange_file(exchange))

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda table: table if binding in table else [binding, *table])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        super(filesystem.Channel, self)._delete(
            queue, exchange, routing_key, pattern, *args, **kwargs
        )
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda table: [b for b in table if b != binding])

    def _change_table(self, exchange, change: Callable[[list], list]) -> None:
        file = self._exchange_file(exchange)
        try:
            with self._tables_locked():
                before = self._read_table(file)
                after = change(before)
                if after != before or not file.exists():
                    staged = file.with_name(f".{file.name}.{uuid.uuid4().hex}")
                    staged.write_bytes(str_to_bytes(dumps(after)))
                    os.replace(staged, file)
        except OSError as exc:
            raise ChannelError(f"Cannot write the exchange table {file}") from exc

    @contextmanager
    def _tables_locked(self) -> Iterator[None]:
        self.control_folder.mkdir(parents=True, exist_ok=True)
        with open(self.control_folder / ".tables.lock", "ab") as lock_file:
            filesystem.lock(lock_file, filesystem.LOCK_EX)  # kombu's own, per platform
            try:
                yield
            finally:
                filesystem.unlock(lock_file)

    @staticmethod
    def _read_table(file: Path) -> list:
        try:
            text = bytes_to_str(file.read_bytes())
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        return [filesystem.exchange_queue_t(*binding) for binding in loads(text)]


class Transport(filesystem.Transport):
    Channel = Channel
