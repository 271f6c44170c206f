"""Run the web server for one or more workspaces on a local port, with a fresh access token."""

from __future__ import annotations

import secrets
import socket
import threading
import webbrowser
from typing import Any, Dict, List, Optional


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


_serving: List["Server"] = []  # Flask-SocketIO's module-level SocketIO serves one app per process


class Server:
    """A running server: ``url`` carries the token; ``stop()`` shuts it down and cancels jobs.

    One per process at a time (serve several visualizers as workspaces of one server instead)."""

    def __init__(self, services: Dict[str, Any], *, host: str = "127.0.0.1", port: Optional[int] = None,
                 debug: bool = False) -> None:
        """``services``: ``{workspace: Service}``; a workspace given as ``server.Lazy(loader)`` loads
        in the background once the server runs (or when first asked for)."""
        from werkzeug.serving import make_server

        from .server import LOCAL_HOSTS, Workspaces, create_app

        if _serving:
            raise RuntimeError(f"an Insights server is already running at {_serving[0].url.split('?')[0]}; "
                               "stop() it first (one server per process)")
        self.port = port or free_port(host)
        self.token = secrets.token_urlsafe(24)
        # bound beyond loopback, it answers to any name it is reached by; the token still guards it
        hosts = LOCAL_HOSTS if host in LOCAL_HOSTS else (*LOCAL_HOSTS, "*")
        self.workspaces = Workspaces(services)
        self.app = create_app(self.workspaces, token=self.token, allowed_hosts=hosts)
        self.app.debug = debug
        self._server = make_server(host, self.port, self.app, threaded=True)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.url = f"http://{shown}:{self.port}/?token={self.token}"
        self._started = False
        _serving.append(self)

    def start(self, blocking: bool = False, open_browser: bool = False) -> "Server":
        print(f"Insights is running at {self.url}", flush=True)
        if open_browser:
            webbrowser.open(self.url)
        self._started = True
        self.workspaces.warm_up()
        if blocking:
            try:
                self._server.serve_forever()
            finally:
                self.stop()
        else:
            threading.Thread(target=self._server.serve_forever, name="insights-server", daemon=True).start()
        return self

    def stop(self) -> None:
        if self in _serving:
            _serving.remove(self)
        if self._started:
            self._server.shutdown()
        self._server.server_close()
        for service in self.workspaces.loaded():
            service.jobs.cancel_all()
