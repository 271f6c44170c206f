"""The web server: a Flask app factory with Flask-SocketIO (threading mode, real WebSockets).

    app = create_app({"name": service}, token="...")
    socketio.run(app)   # or any WSGI server that supports WebSockets via simple-websocket
"""

from __future__ import annotations

import secrets
from typing import Any, Dict, Iterable, Mapping, Optional, Union

from flask import Flask
from flask_socketio import SocketIO

from .workspaces import Lazy, Workspaces

socketio = SocketIO()

__all__ = ["LOCAL_HOSTS", "Lazy", "Workspaces", "create_app", "socketio"]

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def create_app(services: Union[Mapping[str, Any], "Workspaces"], *, token: Optional[str] = None,
               allowed_hosts: Iterable[str] = LOCAL_HOSTS, config: Optional[Dict[str, Any]] = None,
               limits: Any = None) -> Flask:
    """A Flask app serving ``{workspace name: insights.service.Service or Lazy(loader)}``.

    ``limits`` (an :class:`insights.Limits`) caps request sizes; by default the first ready
    workspace's limits, else the defaults."""
    from ..limits import Limits
    from . import datasets, errors, pages, routes, security, sockets  # noqa: F401  (sockets registers handlers)

    workspaces = services if isinstance(services, Workspaces) else Workspaces(services)
    if limits is None:
        limits = next((s.limits for s in workspaces.loaded()), None) or Limits()
    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False  # an API answers what it was asked: a 404 naming the path, not a redirect
    app.config.update(
        INSIGHTS_TOKEN=token or secrets.token_urlsafe(24),
        INSIGHTS_ALLOWED_HOSTS={h.lower() for h in allowed_hosts},
        MAX_CONTENT_LENGTH=limits.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.extensions["insights"] = workspaces
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(routes.bp)
    app.register_blueprint(datasets.bp)
    socketio.init_app(
        app, async_mode="threading", max_http_buffer_size=limits.max_request_bytes, json=errors.SafeJSON,
        cors_allowed_origins=lambda origin, environ=None: security.origin_allowed(
            origin, (environ or {}).get("HTTP_HOST"), app),
    )
    return app
