"""A reference vault served by uvicorn on a background thread, for the CLI and for tests that need a socket."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import uvicorn

from ._app import create_app
from ._settings import VaultSettings

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["running_vault"]

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the main thread and stops at once.

    Idle keep-alive connections are dropped on shutdown instead of closed gracefully: a TLS close waits for the
    client's close_notify, and a client that keeps its pooled socket open (requests keeps it alive as long as a
    response object lives) would hold the shutdown for the whole graceful timeout.
    """

    def install_signal_handlers(self) -> None:  # older uvicorn versions call this
        return None

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            cycle = getattr(connection, "cycle", None)
            if transport is not None and (cycle is None or getattr(cycle, "response_complete", False)):
                transport.abort()
        await super().shutdown(sockets)


@contextlib.contextmanager
def running_vault(
    settings: VaultSettings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
    wrap: Callable[[ASGIApp], ASGIApp] | None = None,
) -> Iterator[str]:
    """Serve a new reference vault until the block ends; yields its base URL (``http(s)://host:port``).

    ``port=0`` picks a free port. With ``ssl_certfile`` and ``ssl_keyfile`` it serves https. ``wrap`` puts ASGI
    middleware around the vault's app.
    """
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise ValueError("give both ssl_certfile and ssl_keyfile, or neither")
    # first: a state file it refuses (--data-dir) must not leave a socket open
    app = create_app(settings) if wrap is None else wrap(create_app(settings))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP: asyncio turns Nagle off (TCP_NODELAY) only on sockets that say they are TCP; without
    # it every keep-alive response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        log_level="error",  # malformed requests (fuzzing sends them) are answered, not logged
        access_log=False,
        lifespan="off",
        ws="none",
        http="h11",
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
        timeout_graceful_shutdown=_STOP_TIMEOUT,
    )
    try:
        config.load()  # here, so that a TLS file that cannot be read raises in the caller's thread
    except BaseException:
        sock.close()
        raise
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="kvconform-refvault", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the reference vault could not start (see the log above)")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the reference vault did not start within {_START_TIMEOUT:g} s")
            time.sleep(0.01)
        scheme = "https" if ssl_certfile else "http"
        shown_host = f"[{host}]" if family == socket.AF_INET6 else host
        yield f"{scheme}://{shown_host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(_STOP_TIMEOUT + 5)
        sock.close()
