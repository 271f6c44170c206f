"""Token on every request and socket connection, Host and cross-origin checks, loopback binding."""

import pytest

from insights.server.security import COOKIE
from insights.serving import Server

from .conftest import AUTH, TOKEN


@pytest.mark.parametrize("path", ["/", "/api", "/api/schema", "/api/w/tabular/info", "/assets/x.js"])
@pytest.mark.parametrize("headers", [{}, {"X-Insights-Token": "wrong"}, {"Authorization": "Bearer wrong"}])
def test_token_missing_or_wrong_is_401(client, path, headers):
    r = client.get(path, headers=headers)
    assert r.status_code == 401
    if path == "/":  # a person opening the page gets a page saying how to get the link
        assert "token" in r.get_data(as_text=True) and r.mimetype == "text/html"
        return
    assert r.json["error"]["code"] == "unauthorized" and r.json["error"]["field"] == "token"


def test_post_without_token_is_401(client):
    r = client.post("/api/w/tabular/examples/page", json={})
    assert r.status_code == 401


def test_token_in_url_sets_a_strict_httponly_cookie_that_then_suffices(client):
    r = client.get(f"/?token={TOKEN}")
    assert r.status_code == 200
    cookie = r.headers["Set-Cookie"]
    assert f"{COOKIE}={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/w/tabular/info").status_code == 200  # the cookie alone
    assert client.get("/api/w/tabular/info", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:5000", "127.0.0.1.nip.io", "[::2]:80"])
def test_foreign_host_header_is_refused(client, host):
    r = client.get("/api/w/tabular/info", headers={**AUTH, "Host": host})
    assert r.status_code == 403 and r.json["error"]["field"] == "Host"


def test_local_host_names_are_served(client):
    for host in ("localhost", "127.0.0.1:8080", "[::1]:8080"):
        assert client.get("/api", headers={**AUTH, "Host": host}).status_code == 200


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Origin": "null"},
                                     {"Origin": "http://localhost:9999"}, {"Sec-Fetch-Site": "cross-site"}])
def test_cross_origin_state_change_is_refused(client, headers):
    r = client.post("/api/w/tabular/examples/page", json={}, headers={**AUTH, **headers})
    assert r.status_code == 403 and r.json["error"]["field"] == "Origin"


def test_same_origin_post_is_accepted_and_non_json_is_refused(client):
    ok = client.post("/api/w/tabular/examples/page", json={}, headers={**AUTH, "Origin": "http://localhost"})
    assert ok.status_code == 200
    form = client.post("/api/w/tabular/examples/page", data={"page": "1"}, headers=AUTH)
    assert form.status_code == 415 and form.json["error"]["field"] == "body"


def test_socket_connection_needs_the_token(app, sio):
    assert not sio(query_string="").is_connected()
    assert not sio(query_string="token=wrong").is_connected()
    assert not sio(headers={"Host": "evil.example"}).is_connected()
    assert sio(query_string="", auth={"token": TOKEN}).is_connected()
    assert sio().is_connected()


def test_socket_from_another_origin_is_refused(sio):
    assert not sio(headers={"Origin": "http://evil.example"}).is_connected()


def test_server_binds_loopback_by_default(workspaces):
    server = Server({"tabular": workspaces["tabular"]})
    try:
        assert server._server.server_address[0] == "127.0.0.1"
        assert server.url.startswith("http://127.0.0.1:") and f"token={server.token}" in server.url
        assert len(server.token) >= 32
    finally:
        server.stop()


# every JSON type a client may send as the token, and wrong strings: none may let it in
NOT_THE_TOKEN = [123, 0, 1.5, True, False, None, [], [TOKEN], {}, {"token": TOKEN}, "", "wrong", TOKEN + "x",
                 TOKEN[:-1], "é" * 3, "\ud800"]


@pytest.mark.parametrize("given", NOT_THE_TOKEN, ids=repr)
def test_token_ok_refuses_anything_but_the_token_and_never_raises(app, given):
    from insights.server.security import token_ok

    with app.app_context():
        assert token_ok(given) is False
        assert token_ok(TOKEN) is True


@pytest.mark.parametrize("given", NOT_THE_TOKEN, ids=repr)
def test_socket_connect_refuses_a_token_of_any_other_json_type(sio, given):
    assert not sio(query_string="", auth={"token": given}).is_connected()


@pytest.mark.parametrize("auth", [123, "x", [TOKEN], True, None, {"other": TOKEN}], ids=repr)
def test_socket_connect_refuses_an_auth_that_is_not_an_object_with_the_token(sio, auth):
    assert not sio(query_string="", auth=auth).is_connected()


@pytest.mark.parametrize("given", ["", "wrong", TOKEN + "x", "null", "123", "[]", "true", "%00", "é"])
def test_a_wrong_token_in_query_header_or_cookie_is_401(app, given):
    from urllib.parse import quote

    for kwargs in ({"query_string": f"token={quote(given)}"}, {"headers": {"X-Insights-Token": given}},
                   {"headers": {"Authorization": f"Bearer {given}"}}):
        r = app.test_client().get("/api/w/tabular/info", **kwargs)
        assert r.status_code == 401 and r.json["error"]["field"] == "token", (kwargs, r.json)
    client = app.test_client()
    client.set_cookie(COOKIE, given)
    r = client.get("/api/w/tabular/info")
    assert r.status_code == 401 and r.json["error"]["field"] == "token"
