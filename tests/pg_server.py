"""A throwaway PostgreSQL server for the tests and ``bench/team.py``: ``initdb`` into a temporary folder, then
``pg_ctl`` on a loopback port (127.0.0.1 only) with its Unix socket in that folder, stopped at the end.

As root, the server runs as the ``postgres`` OS user (PostgreSQL refuses to run as root), which Debian's
``postgresql`` package creates. The superuser is ``cchc_admin`` with a password (host connections use
scram-sha-256, so a wrong password is refused as it would be on a team's server).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ADMIN = "cchc_admin"
ADMIN_PASSWORD = "admin-s3cret"
MISSING = "PostgreSQL server binaries not found: apt-get install postgresql"


def server_bin() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian keeps them out of PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running throwaway server: `url` is the superuser's URL to its ``postgres`` database."""

    folder: Path
    bin: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://{ADMIN}:{ADMIN_PASSWORD}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_as_server_user([str(self.bin / args[0]), *args[1:]]), capture_output=True, text=True,
                              check=False, timeout=120)

    def start(self) -> None:
        done = self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "server.log"), "-w",
                         "-t", "60", "-o", f"-p {self.port} -k {self.folder}", "start")
        if done.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()} {log}")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.stop("immediate")
        self.start()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def start_server(parent: str | None = None) -> Server:
    """initdb and start a server in a new folder under `parent` (default: the system's temp folder)."""
    binaries = server_bin()
    if binaries is None:
        raise FileNotFoundError(MISSING)
    folder = Path(tempfile.mkdtemp(prefix="cchc-pg.", dir=parent))
    folder.chmod(0o755)
    pwfile = folder / "pw"
    pwfile.write_text(ADMIN_PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(pwfile, "postgres")
    server = Server(folder, binaries, free_port())
    done = server._run("initdb", "-D", str(folder / "data"), "-U", ADMIN, f"--pwfile={pwfile}", "-E", "UTF8",
                       "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")
    with open(folder / "data" / "postgresql.conf", "a") as conf:
        # loopback only; fsync off: a throwaway server for tests, whose data need not survive a power cut. A
        # commit is still written to the WAL before it is acknowledged (synchronous_commit on, the default):
        # the tests stop the server as a crash would (restart() is an immediate stop), and a server that lost
        # commits it had acknowledged (synchronous_commit off) would fail them for no fault of cchc's
        conf.write("listen_addresses = '127.0.0.1'\nfsync = off\nfull_page_writes = off\nmax_connections = 200\n")
    for attempt in range(3):
        try:
            server.start()
            break
        except RuntimeError:
            if attempt == 2:
                server.destroy()
                raise
            server.port = free_port()
            time.sleep(0.2)
    return server


@contextlib.contextmanager
def running_server(parent: str | None = None):
    server = start_server(parent)
    try:
        yield server
    finally:
        server.destroy()
