"""Real servers for the tests, from Debian's packages: PostgreSQL, Redis, nginx, and the shop
itself under gunicorn. Each runs in a throwaway folder on a free loopback port, started and
stopped by the test that needs it (or once per session through the fixtures in conftest).

``JOMSO_TEST_POSTGRES_URL`` names an existing server where the tests may create and drop
databases (``.ci/run`` leaves it unset: the suite starts its own cluster).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args[0]} stopped with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root; CI runs as root."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL 15 cluster on 127.0.0.1; yields its admin URL. Its folder is
    made in memory (``/dev/shm``) when the machine has it, else in the system's temporary
    folder; the ``postgres`` user can reach both. In memory, ``CREATE DATABASE`` (one per
    test) takes tens of milliseconds instead of up to a second and a half on a busy disk."""
    if url := os.environ.get("JOMSO_TEST_POSTGRES_URL"):
        yield url
        return
    memory = Path("/dev/shm")
    parent = memory if memory.is_dir() and os.access(memory, os.W_OK) else None
    folder = Path(tempfile.mkdtemp(prefix="jomso-postgres-", dir=parent))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        os.chmod(folder, 0o700)
    prefix = _as_postgres_user()
    subprocess.run(
        [*prefix, POSTGRES_BIN / "initdb", "-D", data, "-U", "postgres", "--auth=trust",
         "--encoding=UTF8", "--locale=C.UTF-8"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [*prefix, POSTGRES_BIN / "pg_ctl", "-D", data, "-o", options, "-l", folder / "log",
         "-w", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, POSTGRES_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


def create_database(admin_url: str, template: str | None = None) -> str:
    """A new, empty (or copied from ``template``) database on the server; returns its URL."""
    import sqlalchemy

    name = f"jomso_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        suffix = f" TEMPLATE {template}" if template else ""
        version = int(connection.exec_driver_sql("SHOW server_version_num").scalar())
        if template and version >= 150000:
            # Copies the files (and checkpoints), where 15's default writes the whole template
            # through the WAL: about a third faster for the suite's small databases.
            suffix += " STRATEGY FILE_COPY"
        connection.exec_driver_sql(f"CREATE DATABASE {name}{suffix}")
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(url: str) -> None:
    import sqlalchemy

    base, name = url.rsplit("/", 1)
    engine = sqlalchemy.create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    engine.dispose()


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1, nothing saved to disk; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


@contextmanager
def nginx_server(folder: Path, http_block: str) -> Iterator[None]:
    """nginx in the foreground with ``http_block`` as the body of its ``http { }``; the
    caller puts the ports it chose into its ``server`` blocks. Started as root (CI), its worker
    runs as root too: as ``nobody`` it could not reach the test's private folder for its
    buffers, cache and files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    conf = folder / "nginx.conf"
    user = "user root root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n access_log {folder}/logs/access.log;\n"
        f" client_body_temp_path {folder}/body;\n proxy_temp_path {folder}/proxy;\n"
        f" fastcgi_temp_path {folder}/fastcgi;\n uwsgi_temp_path {folder}/uwsgi;\n"
        f" scgi_temp_path {folder}/scgi;\n{http_block}\n}}\n"
    )
    subprocess.run(["nginx", "-t", "-q", "-c", conf, "-p", folder], check=True)
    process = subprocess.Popen(
        ["nginx", "-c", conf, "-p", folder, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(0.2)
        assert process.poll() is None, (folder / "logs/error.log").read_text()
        yield
    finally:
        stop(process)


def gunicorn(port: int, env: dict, *options: str, log_folder: Path | None = None):
    """The shop (``app:app``) under gunicorn on 127.0.0.1:``port``; the caller stops it.
    ``env`` is the whole environment (start from ``os.environ``)."""
    logs = ()
    if log_folder is not None:
        logs = ("--access-logfile", str(log_folder / "access.log"),
                "--error-logfile", str(log_folder / "error.log"))  # fmt: skip
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT),
        *logs, *options, "app:app",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for_port(port, process, timeout=120)
    return process


class HeldWorker:
    """One sync worker of the gunicorn on 127.0.0.1:``port`` kept busy: it has accepted a
    request whose headers have not ended and waits for the rest, so every other connection goes
    to another worker. ``release`` ends the request (``/healthz``) and reads its answer.

    Which worker takes a connection is the kernel's choice; a test that needs two workers to
    share its requests holds one instead of hoping."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        deadline = time.monotonic() + timeout
        while not _accepted(port, self._sock.getsockname()[1]):
            if time.monotonic() > deadline:
                self._sock.close()
                raise AssertionError(f"no worker on port {port} accepted the connection")
            time.sleep(0.01)

    def release(self) -> bytes:
        """The held request ended and answered; its answer's status line."""
        try:
            self._sock.sendall(b"Connection: close\r\n\r\n")
            answer = b""
            while chunk := self._sock.recv(65536):
                answer += chunk
            return answer.split(b"\r\n", 1)[0]
        finally:
            self._sock.close()


def _accepted(server_port: int, client_port: int) -> bool:
    """Whether a process has accepted the loopback connection from ``client_port``: until then,
    the server's end of it is in the listening socket's queue and has no inode
    (``/proc/net/tcp``, whose addresses are hexadecimal, the IPv4 address byte-reversed)."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9] != "0"
    return False


# gunicorn's access log as the tests ask for it: ``--access-logformat "%(p)s %(m)s %(U)s %(s)s"``
ACCESS_LOG_FORMAT = "%(p)s %(m)s %(U)s %(s)s"
_ACCESS_LINE = re.compile(r"^<(\d+)> (\w+) (\S+) (\d+)$", re.MULTILINE)


def logged_requests(access_log: Path) -> list[tuple[str, str, str, str]]:
    """(worker pid, method, path, status) of each request in an access log written in
    ``ACCESS_LOG_FORMAT``."""
    text = access_log.read_text() if access_log.exists() else ""
    return _ACCESS_LINE.findall(text)


def wait_until_every_worker_answers(
    port: int, workers: int, access_log: Path, process: subprocess.Popen, timeout: float = 120
) -> None:
    """Until each of the ``workers`` sync workers of the gunicorn on ``port`` has answered
    ``/healthz``: every process of the shop is up and serving. All but one are held busy in
    turn (``HeldWorker``), so the last request goes to the last worker, once it is up."""
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:  # one worker up
        assert process.poll() is None, f"gunicorn stopped with {process.returncode}"
        try:
            requests.get(f"{base}/healthz", timeout=timeout)
            break
        except (requests.ConnectionError, requests.Timeout):  # not listening, or loading
            assert time.monotonic() < deadline, f"gunicorn on port {port} did not answer"
            time.sleep(0.2)
    held: list[HeldWorker] = []
    try:
        held.extend(HeldWorker(port, timeout) for _ in range(workers - 1))
        requests.get(f"{base}/healthz", timeout=timeout)
    finally:
        answers = [worker.release() for worker in held]
    assert answers == [b"HTTP/1.1 200 OK"] * (workers - 1), answers
    deadline = time.monotonic() + 10  # a worker writes its log line just after it answers
    while True:
        answered = {pid for pid, _, path, _ in logged_requests(access_log) if path == "/healthz"}
        if len(answered) >= workers:
            return
        assert time.monotonic() < deadline, f"{len(answered)} of {workers} workers answered"
        time.sleep(0.05)
