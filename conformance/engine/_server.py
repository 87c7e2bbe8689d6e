"""Running an engine: uvicorn in a background thread on a loopback port."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from conformance.engine._app import create_app
from conformance.engine._repr import API_PATH
from conformance.engine._settings import EngineSettings

__all__ = ["EngineHandle", "start_engine"]

_HOST = "127.0.0.1"
_STARTUP_TIMEOUT = 15.0
_SHUTDOWN_TIMEOUT = 10.0


class EngineHandle:
    """A running engine. ``url`` is its API root; ``stop()`` (idempotent) ends it, joins
    its thread and frees the port. Also a context manager that stops on exit."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, listener: socket.socket, settings: EngineSettings) -> None:
        self._server = server
        self._thread = thread
        self._listener = listener
        self._stop_lock = threading.Lock()
        self._stopped = False
        self.settings = settings
        self.port: int = listener.getsockname()[1]
        self.base_url = f"http://{_HOST}:{self.port}"
        self.url = self.base_url + API_PATH

    def stop(self) -> None:
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            self._server.should_exit = True
            self._thread.join(_SHUTDOWN_TIMEOUT)
            if self._thread.is_alive():  # a connection that will not close: stop waiting for it
                self._server.force_exit = True
                self._thread.join(_SHUTDOWN_TIMEOUT)
            self._listener.close()

    @property
    def running(self) -> bool:
        return not self._stopped and self._thread.is_alive()

    def __enter__(self) -> EngineHandle:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<EngineHandle {self.url} {'running' if self.running else 'stopped'}>"


def start_engine(settings: EngineSettings, port: int = 0) -> EngineHandle:
    """Start an engine on ``127.0.0.1:port`` (0: a free port) in a daemon thread; return
    once it accepts connections. Raises ``OSError`` when the port is taken."""
    app = create_app(settings)  # fails here, in the caller's thread, on bad settings or state
    # proto IPPROTO_TCP, not 0: asyncio disables Nagle (TCP_NODELAY) only on sockets that
    # say they are TCP; without it every keep-alive answer waits ~40 ms for a delayed ACK.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((_HOST, port))
        listener.listen(128)
        listener.setblocking(False)
    except OSError:
        listener.close()
        raise
    config = uvicorn.Config(
        app,
        log_config=None,  # never touch the host process's logging configuration
        log_level=None,
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            server.run(sockets=[listener])
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=serve, name=f"reference-engine:{listener.getsockname()[1]}", daemon=True)
    handle = EngineHandle(server, thread, listener, settings)
    thread.start()
    deadline = time.monotonic() + _STARTUP_TIMEOUT
    while not server.started:
        if failure or not thread.is_alive():
            handle.stop()
            raise RuntimeError(f"the reference engine did not start: {failure[0] if failure else 'its thread ended'}")
        if time.monotonic() > deadline:
            handle.stop()
            raise RuntimeError(f"the reference engine did not start within {_STARTUP_TIMEOUT} s")
        time.sleep(0.005)
    return handle
