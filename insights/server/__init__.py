"""The web server: a Flask app factory with Flask-SocketIO (threading mode, real WebSockets).

    app = create_app(service, token="...")
    socketio.run(app)   # or any WSGI server that supports WebSockets via simple-websocket
"""

from __future__ import annotations

import secrets
from typing import Any, Dict, Iterable, Optional

from flask import Flask
from flask_socketio import SocketIO

socketio = SocketIO()

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def create_app(services: Dict[str, Any], *, token: Optional[str] = None,
               allowed_hosts: Iterable[str] = LOCAL_HOSTS, config: Optional[Dict[str, Any]] = None) -> Flask:
    """A Flask app serving ``{workspace name: insights.service.Service}``."""
    from . import errors, pages, routes, security, sockets  # noqa: F401  (sockets registers handlers)

    if not services:
        raise ValueError("`services` must name at least one workspace")
    limits = next(iter(services.values())).limits
    app = Flask(__name__, static_folder=None)
    app.config.update(
        INSIGHTS_TOKEN=token or secrets.token_urlsafe(24),
        INSIGHTS_ALLOWED_HOSTS={h.lower() for h in allowed_hosts},
        MAX_CONTENT_LENGTH=limits.max_request_bytes,
        JSON_SORT_KEYS=False,
    )
    app.config.update(config or {})
    app.extensions["insights"] = dict(services)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(routes.bp)
    socketio.init_app(
        app, async_mode="threading", max_http_buffer_size=limits.max_request_bytes,
        cors_allowed_origins=lambda origin, environ=None: security.origin_allowed(
            origin, (environ or {}).get("HTTP_HOST"), app),
    )
    return app
