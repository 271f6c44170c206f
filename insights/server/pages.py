"""The front end at ``/``: the built bundle when present, else a page that says so.

The bundle (``insights/static``, built from ``frontend/`` during ``pip install``) has content-hashed
file names under ``assets/``, so those are cached for good; ``index.html`` is revalidated each time
so a rebuilt front end is picked up at once.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, request, send_from_directory

from . import security

STATIC = Path(__file__).resolve().parent.parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"

bp = Blueprint("pages", __name__)

PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Insights</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Insights</h1>
<p>The server is running, but the web front end is not built in this installation
(build it with <code>pip install .</code>, or <code>npm run build</code> in <code>frontend/</code>).</p>
<p>The JSON API is available: see <a href="/api">/api</a> for its endpoints and Socket.IO events,
and <a href="/api/schema">/api/schema</a> for the JSON Schema of every message.</p>
</body></html>
"""


NO_TOKEN = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Insights: open the link with its token</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>Insights needs its access link</h1>
<p>This dashboard only answers the link it printed when it started, which carries a private token:
look in the terminal (or notebook) that runs it for a line like</p>
<pre>Insights is running at http://127.0.0.1:PORT/?token=...</pre>
<p>and open that address. The token keeps other programs and users on this machine out.</p>
</body></html>
"""


def _no_token_page():
    """A person who opens the dashboard's page without its token gets a page saying how to get the
    link, not the API's JSON error (the token check itself stays the security guard's)."""
    if (request.method == "GET" and request.path == "/" and security.host_allowed(request.host)
            and security.request_token() is None):
        return NO_TOKEN, 401, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
    return None


# ahead of the security guard, which would answer the page with the API's JSON 401
bp.record_once(lambda state: state.app.before_request_funcs.setdefault(None, []).insert(0, _no_token_page))


@bp.get("/")
def index():
    if (STATIC / "index.html").is_file():
        response = send_from_directory(STATIC, "index.html", max_age=0)
        response.headers["Cache-Control"] = "no-cache"
        return response
    return PLACEHOLDER, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/assets/<path:name>")
def assets(name: str):
    if not (STATIC / "assets").is_dir():
        abort(404)
    response = send_from_directory(STATIC / "assets", name)
    response.headers["Cache-Control"] = IMMUTABLE
    return response
