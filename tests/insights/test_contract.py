"""The wire contract: the committed JSON Schema is current, and the server's answers fit it."""

from insights.schema import SCHEMA_PATH, json_schema, schema_text
from insights.schema import contract as c

from .conftest import AUTH, page_ids


def test_committed_schema_is_current():
    assert SCHEMA_PATH.read_text() == schema_text(), "run `python -m insights.schema` and commit contract.json"


def test_schema_defines_every_message():
    defs = json_schema()["$defs"]
    for model in c.CONTRACT:
        assert model.__name__ in defs


def test_schema_route_serves_it(client):
    r = client.get("/api/schema", headers=AUTH)
    assert r.status_code == 200 and r.json == json_schema()


def test_info_fits_contract_and_lists_registry(client):
    from attr_engine import REGISTRY

    for ws in ("digits", "shapes", "sentiment", "signals", "tabular"):
        info = c.AppInfo.model_validate(client.get(f"/api/w/{ws}/info", headers=AUTH).json)
        assert {m.name for m in info.methods} == set(REGISTRY)
    assert client.get("/api/workspaces", headers=AUTH).json["workspaces"] == ["digits", "shapes", "sentiment",
                                                                               "signals", "tabular"]


def test_pages_fit_contract(client):
    for ws in ("digits", "shapes", "sentiment", "signals", "tabular"):
        r = client.post(f"/api/w/{ws}/examples/page", json={"page_size": 3, "top_k": 2}, headers=AUTH)
        page = c.PageResponse.model_validate(r.json)
        assert len(page.examples) == 3 and all(len(p.top) == 2 for e in page.examples for p in e.predictions)
    assert page_ids(client, "digits", 3) == page_ids(client, "digits", 3)  # stable ids
