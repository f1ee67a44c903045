"""Start a real, throw-away ``redis-server`` for the tests and the benchmarks.

``start_redis(workdir)`` runs Debian's ``redis-server`` (``apt-get install redis-server``;
.ci/run installs it) on 127.0.0.1 at a free port, in a new folder under ``workdir``, durable
like a production store should be (``appendonly yes``, ``appendfsync always``: a write is in
the append-only file, fsynced, before the server answers; no RDB snapshots), and waits until
it answers PING. ``kill()`` is a crash (SIGKILL), ``restart()`` starts it again on the same
port and folder, so it replays its append-only file.

No pytest and no redis client here (PING is sent on a plain socket): ``benchmarks/
speed_store.py`` loads this file by path.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: Seconds to wait for a started server to answer PING (it may replay a large AOF first).
START_TIMEOUT = 30.0


class RedisServer:
    """One ``redis-server`` process started by `start_redis` (see the module docstring).

    Attributes:
        url: ``redis://127.0.0.1:PORT/0``.
        port: its TCP port.
        dir: its folder (append-only file, log).
        unix_socket: the path of its Unix socket (``unix://`` URLs), in a short /tmp folder.
        pid: the process id of the running server (changes on `restart`).
    """

    def __init__(self, workdir: Path, port: int, *, appendonly: bool = True) -> None:
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="redis-", dir=workdir))
        # Unix socket paths are limited to ~100 bytes: keep it out of deep pytest folders.
        self._sock_dir = Path(tempfile.mkdtemp(prefix="dedup-redis-"))
        self.unix_socket = str(self._sock_dir / "redis.sock")
        self.appendonly = appendonly
        self.url = f"redis://127.0.0.1:{port}/0"
        self.unix_url = f"unix://{self.unix_socket}?db=0"
        self.proc: subprocess.Popen[bytes] | None = None
        atexit.register(self._cleanup)

    @property
    def pid(self) -> int:
        """The process id of the server (raises when it is not running)."""
        if self.proc is None:
            msg = f"redis-server on port {self.port} is not running"
            raise RuntimeError(msg)
        return self.proc.pid

    def _args(self) -> list[str]:
        exe = shutil.which("redis-server")
        if exe is None:
            msg = "redis-server is not installed (apt-get install redis-server)"
            raise FileNotFoundError(msg)
        args = [
            exe,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.dir),
            "--unixsocket", self.unix_socket,
            "--unixsocketperm", "700",
            "--save", "",
            "--daemonize", "no",
            "--logfile", str(self.dir / "redis.log"),
        ]  # fmt: skip
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        return args

    def start(self) -> None:
        """Start the server and wait until it answers PING (RuntimeError if it does not)."""
        if self.proc is not None and self.proc.poll() is None:
            return
        self.proc = subprocess.Popen(
            self._args(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                self.proc = None
                msg = f"redis-server on port {self.port} exited at start: {err}{self._log_tail()}"
                raise RuntimeError(msg)
            if _ping(self.port):
                return
            time.sleep(0.02)
        self.kill()
        msg = f"redis-server on port {self.port} did not answer PING within {START_TIMEOUT} s"
        raise RuntimeError(msg + self._log_tail())

    def _log_tail(self) -> str:
        log = self.dir / "redis.log"
        if not log.exists():
            return ""
        return "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-10:])

    def kill(self) -> None:
        """Crash the server: SIGKILL, no shutdown (only what is in the AOF survives)."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self._close_pipes()
            self.proc = None

    def stop(self) -> None:
        """Shut the server down cleanly (SIGTERM) and wait for it."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self._close_pipes()
            self.proc = None

    def _close_pipes(self) -> None:
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()

    def restart(self) -> None:
        """Start the server again on the same port and folder (it replays its AOF)."""
        self.stop()
        self.start()

    def _cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self._sock_dir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _ping(port: int) -> bool:
    """Return whether a server on ``port`` answers PING with PONG (not LOADING)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
            s.sendall(b"PING\r\n")
            return s.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(workdir: Path, *, appendonly: bool = True) -> RedisServer:
    """Start a ``redis-server`` on a free port with its files under ``workdir``.

    Args:
        workdir: an existing folder; the server gets a new folder inside it.
        appendonly: durable (``appendonly yes``, ``appendfsync always``, the default) or
            memory only.

    Returns:
        the running `RedisServer` (stop it with ``.stop()`` or use it in a ``with``).

    Raises:
        FileNotFoundError: ``redis-server`` is not installed.
        RuntimeError: it did not start (the message has the end of its log).
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    last: RuntimeError | None = None
    for _ in range(5):  # the free port may be taken between the check and the start
        server = RedisServer(workdir, free_port(), appendonly=appendonly)
        try:
            server.start()
        except RuntimeError as exc:
            last = exc
            server._cleanup()
            continue
        return server
    assert last is not None
    raise last


__all__ = ["RedisServer", "free_port", "start_redis"]

if __name__ == "__main__":  # a quick manual check: start one, print its URL, stop it
    with start_redis(Path(tempfile.mkdtemp())) as srv:
        print(srv.url, srv.pid, os.getpid())
