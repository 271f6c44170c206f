"""The front end at ``/``: the built bundle when present, else a page that says so."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

STATIC = Path(__file__).resolve().parent.parent / "static"

bp = Blueprint("pages", __name__)

PLACEHOLDER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Insights</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>Insights</h1>
<p>The server is running, but the web front end is not built in this installation.</p>
<p>The JSON API is available: see <a href="/api">/api</a> for its endpoints and Socket.IO events,
and <a href="/api/schema">/api/schema</a> for the JSON Schema of every message.</p>
</body></html>
"""


@bp.get("/")
def index():
    if (STATIC / "index.html").is_file():
        return send_from_directory(STATIC, "index.html")
    return PLACEHOLDER, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/assets/<path:name>")
def assets(name: str):
    if not (STATIC / "assets").is_dir():
        abort(404)
    return send_from_directory(STATIC / "assets", name)
