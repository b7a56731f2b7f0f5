"""nginx from Debian on a spare loopback port, serving a directory with sendfile: the download
ceiling."""

from __future__ import annotations

import getpass
import shutil
from pathlib import Path

from common import Server

CONF = """\
daemon off;
user {user};
worker_processes 2;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 5;
    types {{ video/mp4 mp4; }}
    default_type application/octet-stream;
    client_body_temp_path {run}/client_body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{ }}
    }}
}}
"""


def nginx_server(root: Path, port: int, run_dir: Path) -> Server:
    """nginx serving `root` (the hub's object store) at http://127.0.0.1:port/; config and logs in
    `run_dir`."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    run_dir.mkdir(parents=True, exist_ok=True)
    conf = run_dir / "nginx.conf"
    # The workers run as the hub's own user: the object store is private to it (umask 077).
    conf.write_text(CONF.format(run=run_dir, port=port, root=root, user=getpass.getuser()))
    # -e: log start-up errors to our file, not the compiled-in /var/log/nginx/error.log.
    argv = [binary, "-p", str(run_dir), "-c", str(conf), "-e", str(run_dir / "error.log")]
    return Server(argv, port, run_dir / "stdout.log", ready_path="/")
