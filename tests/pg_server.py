"""A throwaway PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder on a free port.

`PARLEY_TEST_DATABASE_URL` (a role that may CREATE DATABASE) skips the start and uses that server.
The server binaries come from PATH or Debian's /usr/lib/postgresql/<version>/bin. PostgreSQL refuses
to run as root, so under root (CI) initdb and pg_ctl run as the ``postgres`` system user (Debian's
package creates it) through ``runuser``.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

USER = "parley"


class ServerUnavailable(Exception):
    """No PostgreSQL server could be found or started; the message says why."""


@dataclass
class PgServer:
    """A running server: ``admin_url`` may create databases; ``stop()`` ends it if this process started it."""

    admin_url: str
    folder: Path | None = None
    pg_ctl: str | None = None
    run_as: list[str] | None = None
    _names = itertools.count(1)

    def new_database_url(self) -> str:
        """A fresh, empty database on the server (one per test), as a postgresql:// URL."""
        import asyncio

        import asyncpg

        name = f"parley_t{os.getpid()}_{next(self._names)}"

        async def create() -> None:
            conn = await asyncpg.connect(self.admin_url)
            try:
                await conn.execute(f'CREATE DATABASE "{name}"')
            finally:
                await conn.close()

        # in a thread of its own: the caller may be inside a running event loop (an async fixture)
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, create()).result()
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{name}"

    def stop(self) -> None:
        if self.folder is None or self.pg_ctl is None:
            return
        subprocess.run([*(self.run_as or []), self.pg_ctl, "-D", str(self.folder / "data"), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=60, check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def find_binary(name: str) -> str | None:
    """``initdb``/``pg_ctl`` from PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start() -> PgServer:
    """Uses `PARLEY_TEST_DATABASE_URL` or starts a server; raises `ServerUnavailable` with the reason."""
    given = os.environ.get("PARLEY_TEST_DATABASE_URL")
    if given:
        return PgServer(admin_url=given)
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise ServerUnavailable("initdb/pg_ctl not found (install Debian's postgresql package, "
                                "or set PARLEY_TEST_DATABASE_URL)")
    folder = Path(tempfile.mkdtemp(prefix="parley-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise ServerUnavailable("running as root and runuser is missing: PostgreSQL will not run as root")
        run_as = [runuser, "-u", "postgres", "--"]
        shutil.chown(folder, "postgres", "postgres")
    server = PgServer(admin_url="", folder=folder, pg_ctl=pg_ctl, run_as=run_as)
    try:
        done = subprocess.run([*run_as, initdb, "-D", str(folder / "data"), "-U", USER, "-A", "trust", "-E", "UTF8",
                               "--no-sync", "--locale=C"], capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
        port = _free_port()
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                   "-c full_page_writes=off -c max_connections=300")
        done = subprocess.run([*run_as, pg_ctl, "-D", str(folder / "data"), "-o", options, "-l",
                               str(folder / "server.log"), "-w", "-t", "60", "start"],
                              capture_output=True, text=True, timeout=90, check=False)
        if done.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace")[-800:] if (folder / "server.log").exists() else ""
            raise ServerUnavailable(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {log}")
    except BaseException:
        server.stop()
        raise
    server.admin_url = f"postgresql://{USER}@127.0.0.1:{port}/postgres"
    return server
