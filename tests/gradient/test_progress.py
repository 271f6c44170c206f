"""Progress reporting and cancellation: one protocol for every long-running method."""

import threading

import pytest
import torch
from torch import nn

import attr_engine
from attr_engine import Cancelled, ProgressMonitor
from attr_engine.core.batching import ChunkSizer
from tests.conformance_helpers import hook_count
from tests.models import make_case


class CountingModel(nn.Module):
    """Wraps a model and counts forward calls."""

    def __init__(self, model):
        super().__init__()
        self.model, self.calls = model, 0

    def forward(self, *args):
        self.calls += 1
        return self.model(*args)


def test_progress_is_monotonic_and_complete():
    model, x, _ = make_case("cnn")
    seen = []
    with ProgressMonitor(on_progress=lambda d, t: seen.append((d, t))):
        attr_engine.IntegratedGradients(model).attribute(x, target=0, n_steps=20, internal_batch_size=8)
    assert [t for _, t in seen] == [80] * len(seen)
    assert [d for d, _ in seen] == list(range(8, 81, 8))


def test_nested_progress_counts_in_the_outer_units():
    model, x, _ = make_case("mlp")
    seen = []
    nt = attr_engine.NoiseTunnel(attr_engine.IntegratedGradients(model))
    with ProgressMonitor(on_progress=lambda d, t: seen.append((d, t))):
        nt.attribute(x, nt_samples=6, nt_samples_batch_size=2, stdevs=0.1, target=0, n_steps=10,
                     internal_batch_size=8)
    dones = [d for d, _ in seen]
    assert {t for _, t in seen} == {6}
    assert dones == sorted(dones) and dones[-1] == 6
    assert len(dones) > 6  # fractions of a partition are reported while the inner IG runs


@pytest.mark.parametrize("make", [
    lambda m: attr_engine.IntegratedGradients(m),
    lambda m: attr_engine.NoiseTunnel(attr_engine.DeepLift(m)),
    lambda m: attr_engine.NoiseTunnel(attr_engine.GuidedBackprop(m)),
])
def test_cancel_stops_within_one_batch_and_leaves_no_hooks(make):
    base, x, _ = make_case("cnn")
    model = CountingModel(base)
    method = make(model)
    monitor = ProgressMonitor()
    calls_at_cancel = []

    def on_progress(done, total):
        if not calls_at_cancel:
            monitor.cancel()
            calls_at_cancel.append(model.calls)

    monitor.on_progress = on_progress
    hooks_before = hook_count(model)
    with monitor, pytest.raises(Cancelled):
        if isinstance(method, attr_engine.NoiseTunnel):
            method.attribute(x, nt_samples=20, nt_samples_batch_size=1, stdevs=0.1, target=0)
        else:
            method.attribute(x, target=0, n_steps=50, internal_batch_size=4)
    assert model.calls == calls_at_cancel[0]
    assert hook_count(model) == hooks_before


def test_cancel_from_another_thread():
    model, x, _ = make_case("cnn")
    monitor = ProgressMonitor()
    started = threading.Event()
    monitor.on_progress = lambda d, t: started.set()
    errors = []

    def work():
        with monitor:
            try:
                attr_engine.IntegratedGradients(model).attribute(x, target=0, n_steps=100_000,
                                                                 method="riemann_trapezoid", internal_batch_size=4)
            except Cancelled as exc:
                errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    assert started.wait(30)
    monitor.cancel()
    thread.join(30)
    assert not thread.is_alive() and len(errors) == 1
    assert monitor.done < monitor.total


def test_show_progress_draws_a_bar(capsys):
    model, x, _ = make_case("mlp")
    attr_engine.IntegratedGradients(model).attribute(x, target=0, show_progress=True)
    assert "IntegratedGradients" in capsys.readouterr().err


def test_chunk_sizer_grows_while_faster_and_respects_the_time_cap():
    sizer = ChunkSizer(unit=2, row_numel=1 << 16, target_seconds=0.25)
    sizes = []
    for _ in range(8):
        rows = sizer.next_size(10_000)
        sizes.append(rows)
        sizer.record(rows, 0.01 + rows * 0.001)  # fixed overhead: bigger is better per row
    assert sizes[0] == sizes[1] == 2  # the first chunk is a warm-up
    assert sizes[1:5] == sorted(set(sizes[1:5])) and all(s % 2 == 0 for s in sizes)
    assert max(sizes) * 0.001 + 0.01 <= 0.26 and sizes[-1] >= 120
    slow = ChunkSizer(unit=1, row_numel=1 << 10)
    for seconds in (9.0, 9.0):  # warm-up, then 64 rows in 9 s: far over the cap
        slow.record(slow.next_size(10_000), seconds)
    assert slow.next_size(10_000) == int(0.25 / (9.0 / 64))
    small_rows = ChunkSizer(unit=4, row_numel=3 * 32 * 32)
    assert small_rows.next_size(10_000) == 20  # small rows start with bigger chunks
    fixed = ChunkSizer(unit=3, fixed=10)
    assert fixed.next_size(100) == 9 and fixed.next_size(5) == 5


def test_chunking_does_not_change_results():
    model, x, _ = make_case("cnn")
    ig = attr_engine.IntegratedGradients(model)
    reference = ig.attribute(x, target=1, n_steps=24, internal_batch_size=10_000)
    for size in (1, 4, 7, 33):
        torch.testing.assert_close(ig.attribute(x, target=1, n_steps=24, internal_batch_size=size),
                                   reference, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(ig.attribute(x, target=1, n_steps=24), reference, rtol=1e-5, atol=1e-7)
