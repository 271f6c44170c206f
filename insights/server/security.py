"""Access control for both transports: token, Host header, and cross-origin checks.

* A random token (printed in the URL, like Jupyter) is required on every HTTP request and
  Socket.IO connection: as ``?token=``, an ``Authorization: Bearer`` or ``X-Insights-Token``
  header, or the HttpOnly SameSite=Strict cookie a valid ``?token=`` sets.
* A request whose ``Host`` is not an address this server answers to is refused (DNS rebinding).
* A request from another origin is refused (CSRF, cross-site sockets); a state-changing one
  must carry JSON, which a plain HTML form cannot send.
"""

from __future__ import annotations

import hmac
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from ..errors import InsightsError

COOKIE = "insights_token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _hostname(value: str) -> str:
    """``host[:port]`` or ``[v6]:port`` -> the lower-case host name."""
    try:
        return (urlsplit(f"//{value}").hostname or "").lower()
    except ValueError:
        return ""


def host_allowed(host: Optional[str], app: Optional[Flask] = None) -> bool:
    app = app or current_app
    allowed = app.config["INSIGHTS_ALLOWED_HOSTS"]
    return bool(host) and ("*" in allowed or _hostname(host) in allowed)


def origin_allowed(origin: Optional[str], host: Optional[str], app: Optional[Flask] = None) -> bool:
    """Same-origin test for the Origin header against the Host served (also Socket.IO's CORS)."""
    if not origin:
        return True
    netloc = urlsplit(origin).netloc.lower()
    return netloc == (host or "").lower() and host_allowed(netloc, app)


def token_ok(given: Any, app: Optional[Flask] = None) -> bool:
    """Whether ``given`` is the token: a non-empty string equal to it. Never raises, whatever
    JSON a client sends (a number, ``true``, a list, an object, a lone surrogate)."""
    expected = (app or current_app).config["INSIGHTS_TOKEN"]
    if not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def request_token(auth: Optional[Mapping[str, Any]] = None) -> Optional[str]:
    """The token a request presents, from wherever it may come."""
    header = request.headers.get("Authorization", "")
    candidates = [request.args.get("token"), request.headers.get("X-Insights-Token"),
                  header[7:] if header.startswith("Bearer ") else None,
                  (auth or {}).get("token") if isinstance(auth, Mapping) else None,
                  request.cookies.get(COOKIE)]
    return next((t for t in candidates if t and token_ok(t)), None)


def check_request(auth: Optional[Mapping[str, Any]] = None) -> None:
    """Raise InsightsError (403/401) unless this request may proceed."""
    if not host_allowed(request.host):
        raise InsightsError(f"host {request.host!r} is not served here", field="Host", code=403,
                            kind="forbidden_host")
    origin = request.headers.get("Origin")
    cross_site = request.method not in SAFE_METHODS and request.headers.get("Sec-Fetch-Site") == "cross-site"
    if not origin_allowed(origin, request.host) or cross_site:  # also the Socket.IO handshake
        raise InsightsError("cross-origin requests are refused", field="Origin", code=403,
                            kind="forbidden_origin")
    if request_token(auth) is None:
        raise InsightsError("a valid access token is required: open the URL the server printed",
                            field="token", code=401, kind="unauthorized")


def init_app(app: Flask) -> None:
    @app.before_request
    def _guard() -> None:
        check_request()
        if request.method not in SAFE_METHODS and not request.is_json:
            raise InsightsError("the body must be JSON (Content-Type: application/json)", field="body",
                                code=415, kind="unsupported_media_type")

    @app.after_request
    def _cookie_and_headers(response):
        given = request.args.get("token")
        if given and token_ok(given):
            response.set_cookie(COOKIE, given, httponly=True, samesite="Strict", path="/")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
