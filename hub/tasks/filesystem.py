"""kombu's filesystem transport with atomic writes: the embedded broker of a single-machine hub.

kombu writes a message file in place, so a consumer can open it before the producer wrote a byte,
read nothing and stop the worker with "Unrecoverable error" (kombu issue 1551). Here a message is
written under a temporary name outside the queue folder and renamed into it, which is atomic on
one filesystem: the consumer sees a whole file or none.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

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


class Transport(filesystem.Transport):
    Channel = Channel
