"""Faithfulness scores (deletion AUC and infidelity) and the partial maps streamed while a
perturbation method runs."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Tuple

import torch
from torch import nn

from insights import Batch, GeneralFeature
from insights.attribution import _infidelity
from insights.schema import contract as c
from insights.service import Service

from .conftest import wait_status

FEATURES = 40


class SlowLinear(nn.Module):
    """A linear model slow enough (20 ms a pass) that an ablation takes about a second."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(FEATURES, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(0.02)
        return self.linear(x)


def slow_service() -> Service:
    x = torch.randn(4, FEATURES, generator=torch.Generator().manual_seed(1))
    return Service([SlowLinear()], ["a", "b"], [GeneralFeature("x", [f"f{i}" for i in range(FEATURES)])],
                   [Batch(x, torch.tensor([0, 1, 0, 1]))])


def run(service: Service, **request: Any) -> List[Tuple[str, Dict[str, Any]]]:
    events: List[Tuple[str, Dict[str, Any]]] = []
    ids = [e["id"] for e in service.page(c.PageRequest(page_size=2))["examples"]]
    req = c.AttributionRequest(examples=ids, use_cache=False, **request)
    job = service.start_job("session", req, lambda name, payload: events.append((name, payload)))
    assert wait_status(service, job["job_id"])["status"] == "done"
    return events


def test_feature_ablation_streams_partial_maps_before_the_final_result():
    service = slow_service()
    try:
        events = run(service, method="FeatureAblation", args={"perturbations_per_eval": 1})
    finally:
        service.shutdown()
    streamed = [p for name, p in events if name == "partial" and p["results"][0].get("partial")]
    assert len(streamed) >= 2  # ~0.8 s of ablation, at most one map per 0.25 s
    for payload in streamed:
        c.PartialEvent.model_validate(payload)
    final = c.ResultEvent.model_validate(events[-1][1]).results[0]
    first = streamed[0]["results"][0]["features"][0]["payload"]["scores"]
    done = sum(v != 0 for v in first)
    assert 0 < done < FEATURES  # only the features ablated so far carry a value
    assert first[:done] == final.features[0].payload.scores[:done]
    assert not final.partial


def test_gradient_methods_stream_no_partial_maps():
    service = slow_service()
    try:
        events = run(service, method="Saliency")
    finally:
        service.shutdown()
    assert not any(p["results"][0].get("partial") for name, p in events if name == "partial")


def test_infidelity_is_zero_for_the_exact_explanation_of_a_linear_model():
    torch.manual_seed(0)
    model = nn.Linear(6, 3)
    x = torch.randn(5, 6)
    targets = torch.tensor([0, 1, 2, 0, 1])
    exact = model.weight[targets].detach()  # f(x) - f(x - n) = w·n exactly
    args = (model, (x,), None, (torch.zeros_like(x),), targets, (), [GeneralFeature("x", list("abcdef"))])
    scores = _infidelity(*args[:2], (exact,), *args[3:])
    assert scores.abs().max() < 1e-8
    wrong = _infidelity(*args[:2], (torch.randn(5, 6),), *args[3:])
    assert (wrong > 1e-4).all()
    again = _infidelity(*args[:2], (exact + 0.5,), *args[3:])
    assert torch.equal(again, _infidelity(*args[:2], (exact + 0.5,), *args[3:]))  # seeded noise


def test_deletion_auc_without_a_score_func_reads_the_softmax():
    """A share of a raw logit means nothing (logits may be negative): with no score_func the
    deletion AUC is taken on the softmax, the same as with softmax given, and within [0, 1]."""
    from .conftest import Tabular, tabular_batches

    def aucs(score_func: Any) -> List[float]:
        service = Service([Tabular()], ["low", "mid", "high"], [GeneralFeature("x", list("abcd"))],
                          tabular_batches(), score_func)
        try:
            ids = [e["id"] for e in service.page(c.PageRequest(page_size=4))["examples"]]
            job = service.start_job("s", c.AttributionRequest(examples=ids, method="Saliency", faithfulness=True,
                                                              use_cache=False), lambda *_: None)
            return [r["deletion_auc"] for r in wait_status(service, job["job_id"])["result"]["results"]]
        finally:
            service.shutdown()

    plain, softmax = aucs(None), aucs(lambda logits: logits.softmax(-1))
    assert plain == softmax and all(0.0 <= a <= 1.0 for a in plain)
