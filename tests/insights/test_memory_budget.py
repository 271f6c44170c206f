"""Examples kept in memory are capped (Limits.max_examples_bytes): the least recently used
data-set examples drop their tensors and are read again from the data set when shown."""

from __future__ import annotations

import pytest

from insights import Limits
from insights.errors import InsightsError
from insights.schema import contract as c

from .conftest import tabular_batches, tabular_service, wait_status

EXAMPLE_BYTES = 4 * 4  # one float32 row of four features


def small_service(dataset, examples=10):
    return tabular_service(dataset=dataset, limits=Limits(max_scan=50, max_examples_bytes=examples * EXAMPLE_BYTES))


def page(service, number, **filters):
    req = c.PageRequest(page=number, page_size=8, filter=c.FilterSpec(**filters))
    return service.page(req)["examples"]


def resident(service):
    return sum(e.resident for e in service.store.by_id.values())


def test_pages_stay_within_the_budget_and_come_back_identical():
    service = small_service(tabular_batches())  # a list: can be read again
    try:
        first = page(service, 0)
        for number in range(1, 5):
            page(service, number)
        assert resident(service) <= 10 and len(service.store.by_id) == 40
        assert not service.store.by_id[first[0]["id"]].resident
        again = page(service, 0)
        assert again == first  # same ids, inputs, labels and predictions
        assert resident(service) <= 10
        job = service.start_job("s", c.AttributionRequest(examples=[e["id"] for e in page(service, 4)][:2] +
                                                         [first[0]["id"]], method="Saliency", use_cache=False),
                                lambda *_: None)
        assert wait_status(service, job["job_id"])["status"] == "done"
    finally:
        service.shutdown()


def test_filters_still_see_evicted_examples():
    service = small_service(tabular_batches())
    try:
        everything = [e for n in range(5) for e in page(service, n)]
        wanted = [e["id"] for e in everything if e["label_name"] == "mid"]
        assert [e["id"] for n in range(3) for e in page(service, n, true_classes=["mid"])] == wanted
    finally:
        service.shutdown()


def test_a_one_shot_iterator_cannot_bring_evicted_examples_back():
    service = small_service(iter(tabular_batches()), examples=28)  # paging forward never needs a re-read
    try:
        for number in range(5):
            page(service, number)
        with pytest.raises(InsightsError) as err:
            page(service, 0)
        assert err.value.code == 410 and err.value.field == "examples"
        assert "Limits.max_examples_bytes" in err.value.message
    finally:
        service.shutdown()
