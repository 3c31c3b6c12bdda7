"""Private Redis and PostgreSQL servers a test starts, stops and starts again.

Fault tests must stop a server; they never touch the machine's own (Redis at
6379, PostgreSQL at 5432). Each server here runs on a free port in a temporary
directory and is killed when the test ends. Outside CI a missing binary skips
the test; in CI (``CI=true``) it fails it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def need(binary: str) -> str:
    path = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/sbin")
    if path is None:
        message = f"{binary} is not installed"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, up: bool, seconds: float = 15.0, process: subprocess.Popen | None = None) -> None:
    """Until ``port`` accepts connections (``up``) or refuses them; with ``process``, give up
    at once when it has exited (a server that failed to start never will)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise RuntimeError(f"port {port} did not come {'up' if up else 'down'} in {seconds} s")


class PrivateRedis:
    """``redis-server`` on a free port, no persistence."""

    def __init__(self, directory: Path) -> None:
        self.binary = need("redis-server")
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for_port(self.port, up=True)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
        _wait_for_port(self.port, up=False)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (``initdb``, trust auth) on a free port.

    Run as the ``postgres`` user when the tests run as root (PostgreSQL refuses root).
    """

    def __init__(self, max_connections: int = 40) -> None:
        self.max_connections = max_connections
        self.initdb = need("initdb")
        self.pg_ctl = need("pg_ctl")
        # Not under pytest's tmp_path: the postgres user cannot enter root's private folders.
        self.directory = Path(tempfile.mkdtemp(prefix="discuss-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120, text=True)
        if done.returncode:
            raise RuntimeError(f"{' '.join(args[:1])} failed: {done.stderr.strip()}")

    def init(self) -> "PrivatePostgres":
        if self.as_postgres:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8", "--locale", "C")
        return self

    def start(self) -> "PrivatePostgres":
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off "
                   f"-c full_page_writes=off -c max_connections={self.max_connections}")
        self._run(self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
                  "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop")
        _wait_for_port(self.port, up=False)

    def remove(self) -> None:
        """Stop the server and delete its cluster."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class PrivateVarnish:
    """``varnishd`` on a free port with ``deploy/varnish.vcl`` in front of ``backend_port``.

    One port: a ``discuss-backends.vcl`` written for it (one backend, no probe, purges
    from 127.0.0.1). Several ports: the compose file's own (deploy/varnish-backends.vcl,
    its probes and round-robin director) with web1, web2… at 127.0.0.1 on those ports
    and the purge relay's address replaced by 127.0.0.1 (:func:`compose_backends`).
    """

    VCL = Path(__file__).resolve().parents[1] / "deploy" / "varnish.vcl"

    def __init__(self, backend_port: int | list[int], memory_mb: int = 256) -> None:
        self.binary = need("varnishd")
        # Its own directory, readable by the unprivileged user varnishd compiles VCL as.
        self.directory = Path(tempfile.mkdtemp(prefix="discuss-varnish-"))
        self.backend_port = backend_port
        self.memory_mb = memory_mb
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "PrivateVarnish":
        if isinstance(self.backend_port, int):
            backends = (f'backend app {{ .host = "127.0.0.1"; .port = "{self.backend_port}"; }}\n'
                        'acl discuss_purgers { "127.0.0.1"; }\n'
                        "sub discuss_backend { set req.backend_hint = app; }\n")
        else:
            backends = compose_backends(self.backend_port)
        vcl = write_vcl(self.directory, backends)
        self.process = subprocess.Popen(
            [self.binary, "-F", "-n", str(self.directory / "work"), "-a", f"127.0.0.1:{self.port}",
             "-T", "none", "-f", str(vcl), "-p", f"vcl_path={self.directory}",
             "-s", f"malloc,{self.memory_mb}m"],
            stdout=subprocess.DEVNULL, stderr=open(self.directory / "log", "ab"))
        try:
            _wait_for_port(self.port, up=True, seconds=30, process=self.process)
        except RuntimeError as exc:
            raise RuntimeError(f"varnishd did not start ({exc}):\n{self.log()[-3000:]}") from None
        return self

    def log(self) -> str:
        return (self.directory / "log").read_text(errors="replace")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def write_vcl(directory: Path, backends: str) -> Path:
    """deploy/varnish.vcl and ``backends`` (as the ``discuss-backends.vcl`` it includes) copied
    into ``directory``, made readable by all: varnishd compiles VCL as an unprivileged user,
    who cannot read a checkout under a private directory (a clone in ``mktemp -d``, pytest's
    ``tmp_path``). The copied varnish.vcl's path, for ``-f``; ``vcl_path`` is ``directory``."""
    directory.chmod(0o755)
    vcl = directory / "varnish.vcl"
    vcl.write_text(PrivateVarnish.VCL.read_text())
    (directory / "discuss-backends.vcl").write_text(backends)
    for path in (vcl, directory / "discuss-backends.vcl"):
        path.chmod(0o644)
    return vcl


def start_purge_relay(env: dict[str, str], cache_url: str, log: Path) -> subprocess.Popen:
    """``discuss purge-relay --url <cache_url>/`` with the app settings in ``env``, its output
    appended to ``log``; returns once it relays (it says so on standard output)."""
    with log.open("a") as output:
        relay = subprocess.Popen(
            [str(Path(sys.executable).parent / "discuss"), "purge-relay", "--url", cache_url + "/"],
            env={**env, "PYTHONUNBUFFERED": "1"}, cwd=Path(__file__).resolve().parents[1],
            stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while "relaying purges" not in log.read_text(errors="replace"):
        if relay.poll() is not None or time.monotonic() > deadline:
            relay.kill()
            raise RuntimeError("the purge relay did not start:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.1)
    return relay


#: The compose file's backends for the cache (docker-compose.yml mounts it as discuss-backends.vcl).
COMPOSE_BACKENDS = Path(__file__).resolve().parents[1] / "deploy" / "varnish-backends.vcl"
#: The purge relay's fixed address in docker-compose.yml, the one address its acl lets purge.
COMPOSE_PURGER = "172.30.0.12"


def compose_backends(ports: list[int]) -> str:
    """deploy/varnish-backends.vcl on one host: backend ``web<n>`` at 127.0.0.1 on ``ports[n-1]``
    (probes, timeouts and the round-robin director as they are), purges from 127.0.0.1.

    :raises AssertionError: when the file no longer has what is replaced (a renamed
        backend, a moved purger), so a test cannot run on a stale picture of it.
    """
    vcl = COMPOSE_BACKENDS.read_text()
    for number, port in enumerate(ports, start=1):
        name = f"web{number}"
        found = f'.host = "{name}";\n    .port = "8000";'
        assert vcl.count(found) == 1, f"{COMPOSE_BACKENDS.name} has no backend {name} on port 8000"
        vcl = vcl.replace(found, f'.host = "127.0.0.1";\n    .port = "{port}";')
    assert '.host = "web' not in vcl, f"{COMPOSE_BACKENDS.name} has more backends than the {len(ports)} ports given"
    assert vcl.count(f'"{COMPOSE_PURGER}";') == 1, f"{COMPOSE_BACKENDS.name}'s acl no longer names {COMPOSE_PURGER}"
    return vcl.replace(f'"{COMPOSE_PURGER}";', '"127.0.0.1";')


class LaggingProxy:
    """A TCP proxy to a server whose answers reach the client ``lag`` seconds late (what the
    client sends goes at once): a host far away, or a slow network. ``lag`` may change while
    connections are open; bytes keep their order."""

    def __init__(self, host: str, port: int, lag: float = 0.0) -> None:
        import threading

        self.target = (host, port)
        self.lag = lag
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = [self._listener]
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        import threading

        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, lagging: bool) -> None:
        import queue
        import threading

        chunks: queue.Queue = queue.Queue()

        def send() -> None:
            while True:
                due, data = chunks.get()
                if data is None:
                    break
                time.sleep(max(0.0, due - time.monotonic()))
                try:
                    sink.sendall(data)
                except OSError:
                    break
            try:
                sink.shutdown(socket.SHUT_WR)
            except OSError:
                pass

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            chunks.put((time.monotonic() + (self.lag if lagging else 0.0), data or None))
            if not data:
                return

    def url(self, database_url: str) -> str:
        """``database_url`` with its host and port replaced by this proxy's."""
        import sqlalchemy as sa

        return sa.engine.make_url(database_url).set(host="127.0.0.1", port=self.port).render_as_string(
            hide_password=False)

    def close(self) -> None:
        self._closed.set()
        for sock in self._sockets:
            try:
                sock.close()
            except OSError:
                pass

    def __enter__(self) -> "LaggingProxy":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
