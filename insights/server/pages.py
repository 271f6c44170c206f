"""The front end at ``/``: the built bundle when present, else a page that says so.

The bundle (``insights/static``, built from ``frontend/`` during ``pip install``) has content-hashed
file names under ``assets/``, so those are cached for good; ``index.html`` is revalidated each time
so a rebuilt front end is picked up at once.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

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
