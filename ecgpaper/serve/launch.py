"""Starting the service for a notebook, a benchmark or a test: `ecgpaper serve` in a
subprocess on 127.0.0.1 at a free port (`ServerProcess`), or the app under uvicorn in a
thread of this process (`ServerThread`). Both wait until `/healthz` answers and stop
cleanly when their `with` block ends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, timeout: float, alive=lambda: True) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("the server exited before answering /healthz")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url}/healthz did not answer within {timeout:g} s")


class ServerProcess:
    """`ecgpaper serve --models ...` as a subprocess; `url` once started."""

    def __init__(self, models, backend: str = "torch", port: int | None = None,
                 env: dict | None = None, extra_args=(), timeout: float = 180):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        paths = [models] if isinstance(models, (str, Path)) else list(models)
        self.cmd = [sys.executable, "-m", "ecgpaper", "serve", "--port", str(self.port),
                    "--backend", backend, *extra_args]
        for p in paths:
            self.cmd += ["--models", str(p)]
        self.env = {**os.environ, **(env or {})}
        self.timeout = timeout
        self.proc: subprocess.Popen | None = None
        self.log = ""

    def __enter__(self) -> "ServerProcess":
        import tempfile
        self._out = tempfile.TemporaryFile(mode="w+")   # a pipe would fill up and block
        self.proc = subprocess.Popen(self.cmd, env=self.env, stdout=self._out,
                                     stderr=subprocess.STDOUT, text=True)
        try:
            wait_healthy(self.url, self.timeout, lambda: self.proc.poll() is None)
        except Exception:
            self.stop()
            raise RuntimeError(f"`ecgpaper serve` did not start: {self.log[-2000:]}") from None
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()          # uvicorn shuts down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and not self._out.closed:
            self._out.seek(0)
            self.log = self._out.read()
            self._out.close()

    def __exit__(self, *exc) -> None:
        self.stop()


class ServerThread:
    """The app under uvicorn in a daemon thread of this process (tests, benchmarks)."""

    def __init__(self, app, port: int | None = None, timeout: float = 30):
        import uvicorn
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.timeout = timeout

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        wait_healthy(self.url, self.timeout, self.thread.is_alive)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
