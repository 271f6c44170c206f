"""Workspaces loaded on first use (or in the background): the page is served before torch and
the models load, and a workspace that fails to load does not take the others down."""

from __future__ import annotations

import subprocess
import sys
import threading

from insights.server import Lazy, Workspaces, create_app

from .conftest import AUTH, TOKEN, tabular_service


def test_importing_the_demo_does_not_import_torch():
    code = "import sys, insights, insights.example; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_page_is_served_while_a_workspace_is_still_loading():
    release, calls = threading.Event(), []

    def load():
        calls.append(1)
        release.wait(10)
        return tabular_service()

    workspaces = Workspaces({"slow": Lazy(load)})
    client = create_app(workspaces, token=TOKEN).test_client()
    thread = workspaces.warm_up()
    assert client.get("/", headers=AUTH).status_code == 200
    assert client.get("/api/workspaces", headers=AUTH).json == {"workspaces": ["slow"]}
    release.set()
    thread.join(10)
    r = client.get("/api/w/slow/info", headers=AUTH)
    assert r.status_code == 200 and [m["name"] for m in r.json["models"]] == ["good", "failing"]
    client.get("/api/w/slow/info", headers=AUTH)
    assert calls == [1]  # loaded once


def test_a_workspace_that_fails_to_load_answers_with_its_error_and_the_others_still_work():
    def broken():
        raise FileNotFoundError("weights.pt is missing")

    client = create_app({"broken": Lazy(broken), "ok": Lazy(tabular_service)}, token=TOKEN).test_client()
    for _ in range(2):  # the failure is remembered, not retried on every request
        r = client.get("/api/w/broken/info", headers=AUTH)
        assert r.status_code == 500 and r.is_json
        assert "weights.pt is missing" in r.json["error"]["message"] and r.json["error"]["field"] == "workspace"
    assert client.get("/api/w/ok/info", headers=AUTH).status_code == 200
