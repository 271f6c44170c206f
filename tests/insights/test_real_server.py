"""The real server in a subprocess on a free loopback port: HTTP plus Socket.IO over a WebSocket."""

import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from simple_websocket import Client

from insights.serving import free_port


def http(url, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["X-Insights-Token"] = token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class SocketIO:
    """Just enough of the Engine.IO 4 / Socket.IO 5 protocol to run a job over a WebSocket."""

    def __init__(self, port, token):
        self.events = []
        self.ws = Client.connect(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket")
        assert self.ws.receive(timeout=60).startswith("0")  # engine.io open
        self.ws.send("40" + json.dumps({"token": token}))
        reply = self.until(lambda kind, data: kind == "connect")
        assert "sid" in reply, reply

    def call(self, event, payload):
        self.ws.send("420" + json.dumps([event, payload]))
        return self.until(lambda kind, data: kind == "ack")[0]

    def until(self, done, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            packet = self.ws.receive(timeout=deadline - time.monotonic())
            if packet is None:
                break
            if packet == "2":  # engine.io ping
                self.ws.send("3")
                continue
            if packet.startswith("44"):
                raise AssertionError(f"connection refused: {packet}")
            if packet.startswith("40"):
                kind, data = "connect", json.loads(packet[2:])
            elif packet.startswith("430"):
                kind, data = "ack", json.loads(packet[3:])
            elif packet.startswith("42"):
                kind, data = "event", json.loads(packet[2:])
            else:
                continue
            if done(kind, data):
                return data
            self.events.append(data)
        raise AssertionError("timed out")


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "insights.example", "--no-browser", "--no-cache",
                                "--model", "digits", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", line)
        assert match, line
        threading.Thread(target=process.stdout.read, daemon=True).start()  # a full pipe would stall the server
        yield int(match.group(1)), match.group(2)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_full_attribution_over_http_and_socketio(server):
    port, token = server
    base = f"http://127.0.0.1:{port}"
    assert http(f"{base}/api/w/digits/info")[0] == 401
    status, page = http(f"{base}/api/w/digits/examples/page", {"page_size": 4}, token)
    assert status == 200 and len(page["examples"]) == 4
    ids = [e["id"] for e in page["examples"]]
    sio = SocketIO(port, token)
    ack = sio.call("run", {"workspace": "digits", "request": {
        "examples": ids, "method": "IntegratedGradients", "args": {"n_steps": 50}}})
    job = ack["job_id"]
    result = sio.until(lambda kind, data: kind == "event" and data[0] in ("result", "error"))
    assert result[0] == "result" and result[1]["job_id"] == job and len(result[1]["results"]) == 4
    assert any(name == "progress" for name, _ in sio.events)
    sio.ws.close()


def test_cli_help_explains_each_option():
    out = subprocess.run([sys.executable, "-m", "insights.example", "--help"], capture_output=True, text=True,
                         timeout=60).stdout
    for option in ("--host", "--port", "--no-browser", "--no-cache", "--model"):
        assert option in out


def connect_reply(port, auth):
    """The server's answer to a Socket.IO connect whose auth is the JSON text ``auth``."""
    ws = Client.connect(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket")
    try:
        assert ws.receive(timeout=60).startswith("0")
        ws.send("40" + auth)
        while True:
            packet = ws.receive(timeout=60)
            if packet != "2":
                return packet or ""
            ws.send("3")
    finally:
        ws.close()


def test_a_socket_connect_with_any_json_but_the_token_string_is_refused(server):
    port, token = server
    assert http(f"http://127.0.0.1:{port}/api/w/digits/info", token=token)[0] == 200  # loaded: no warm-up races
    for auth in ("123", "true", "null", "1.5", '""', '"wrong"', f'["{token}"]', f'{{"token": {{"t": "{token}"}}}}',
                 '{"token": 123}', '{"token": true}', '{"token": null}', f'{{"token": ["{token}"]}}',
                 '{"token": {}}', '{"token": 1.5}', '{"token": ""}', '{"token": "wrong"}'):
        reply = connect_reply(port, auth)
        assert reply.startswith("44"), (auth, reply)  # CONNECT_ERROR
    assert connect_reply(port, json.dumps({"token": token})).startswith("40")


def test_a_deeply_nested_or_broken_event_is_answered_over_a_real_socket(server):
    port, token = server
    sio = SocketIO(port, token)
    for body in ("[" * 5000 + "]" * 5000, '{"workspace": ]'):
        sio.ws.send(f'420["run",{body}]')
        ack = sio.until(lambda kind, data: kind == "ack")[0]
        assert ack["error"]["field"] == "body", ack
    sio.ws.close()
