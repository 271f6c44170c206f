"""Data-set iteration: examples split out of the user's batches, predictions, filters, pages.

The user's data set is any iterable (or a callable returning one) of :class:`Batch`. Examples
are materialised as they are first reached and kept, so pages can be revisited; past
``limits.max_examples_bytes`` of tensors, the least recently used data-set examples keep only
their label and predictions (filters still see them) and are read again from the data set when
needed — which takes a data set that can be iterated again (a list, or a callable). A page request
scans forward at most ``limits.max_scan`` examples, so a filter that matches nothing (or an
"incorrect" filter on a model that is never wrong) ends with an empty page and a message, never
a loop — also on an endless data set.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
from torch import Tensor

from .errors import InsightsError, not_found


class Batch:
    """A batch of examples: ``inputs`` (a tensor or a tuple, one per feature), ``labels`` and the
    model's ``additional_args`` (tensors with a batch dimension are split per example)."""

    def __init__(self, inputs: Any, labels: Any, additional_args: Any = None) -> None:
        self.inputs = inputs
        self.labels = labels
        self.additional_args = additional_args


@dataclass(eq=False)
class Example:
    id: str
    raw: Optional[Tuple[Tensor, ...]]  # per feature, as the data set gave it (display); None: evicted
    inputs: Optional[Tuple[Tensor, ...]]  # per feature, after the feature's input transforms (model)
    label: Optional[int]
    additional_args: Optional[Tuple[Any, ...]] = ()
    source: str = "dataset"
    index: Optional[int] = None
    predictions: Dict[int, Tensor] = field(default_factory=dict)  # model index -> scores

    def shape_key(self) -> Tuple:
        return tuple(tuple(x.shape) for x in self.inputs)

    @property
    def resident(self) -> bool:
        return self.raw is not None

    def nbytes(self) -> int:
        tensors = [*self.raw, *self.inputs, *self.additional_args] if self.resident else []
        unique = {(t.data_ptr(), t.shape): t for t in tensors if isinstance(t, Tensor)}  # inputs may be raw
        return sum(t.element_size() * t.nelement() for t in unique.values())

    def evicted(self) -> "Example":
        """A copy without tensors: enough for filters and pages, read again when shown."""
        return Example(self.id, None, None, self.label, None, self.source, self.index, self.predictions)


def content_hash(tensors: Sequence[Any], extra: str = "") -> str:
    h = hashlib.sha256(extra.encode())
    for t in tensors:
        if isinstance(t, Tensor):
            t = t.detach().cpu().contiguous()
            h.update(str((t.dtype, tuple(t.shape))).encode())
            h.update(t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.float().numpy().tobytes())
        else:
            h.update(repr(t).encode())
    return h.hexdigest()[:24]


def _split_args(args: Any, n: int) -> List[Tuple[Any, ...]]:
    if args is None:
        return [()] * n
    args = args if isinstance(args, tuple) else (args,)
    return [tuple(a[i] if isinstance(a, Tensor) and a.dim() > 0 and a.shape[0] == n else a
                  for a in args) for i in range(n)]


class ExampleStore:
    """The examples reached so far (data set and uploads) and per-filter page bookkeeping."""

    def __init__(self, dataset: Any, features: Sequence[Any], predict: Callable[[List[Example]], None],
                 limits: Any) -> None:
        self._dataset = dataset
        self._features = features
        self._predict = predict
        self._limits = limits
        self._iterator: Optional[Iterator[Any]] = None
        self.exhausted = False
        self.examples: List[Example] = []
        self.by_id: Dict[str, Example] = {}
        self._matches: Dict[Tuple, Tuple[List[int], int]] = {}  # filter -> (matching indices, scanned)
        self._lock = threading.RLock()
        self._resident: "OrderedDict[str, int]" = OrderedDict()  # data-set examples with tensors: bytes
        self._resident_bytes = 0
        self._positions: Dict[str, List[int]] = {}  # id -> places in the data set (repeats)

    # --- materialisation -----------------------------------------------------------------------
    def _next_batch(self) -> List[Example]:
        if self._iterator is None:
            source = self._dataset() if callable(self._dataset) else self._dataset
            self._iterator = iter(source)
        try:
            batch = next(self._iterator)
        except StopIteration:
            self.exhausted = True
            return []
        if not isinstance(batch, Batch):
            raise InsightsError(f"the data set yielded {type(batch).__name__}; it must yield Batch objects",
                                code=500, kind="dataset_error")
        return self._split(batch)

    def _rows(self, batch: Batch) -> List[Tuple[Tuple[Tensor, ...], Optional[int], Tuple[Any, ...]]]:
        """(raw inputs, label, additional args) of each example of a batch."""
        inputs = batch.inputs if isinstance(batch.inputs, (tuple, list)) else (batch.inputs,)
        if len(inputs) != len(self._features):
            raise InsightsError(f"the data set gives {len(inputs)} inputs per batch but "
                                f"{len(self._features)} features were declared", code=500, kind="dataset_error")
        n = inputs[0].shape[0]
        labels = torch.as_tensor(batch.labels).reshape(-1) if batch.labels is not None else None
        args = _split_args(batch.additional_args, n)
        return [(tuple(x[i] for x in inputs), int(labels[i]) if labels is not None else None, args[i])
                for i in range(n)]

    def _split(self, batch: Batch) -> List[Example]:
        made = [self.add(raw, label, args, source="dataset") for raw, label, args in self._rows(batch)]
        self._predict(made)
        self._evict()
        return made

    def add(self, raw: Tuple[Tensor, ...], label: Optional[int], args: Tuple[Any, ...] = (),
            source: str = "upload") -> Example:
        """Register an example (deduplicated by content) and return it."""
        inputs = tuple(f.transform(x) for f, x in zip(self._features, raw))
        key = content_hash([*inputs, *args], extra=f"{label}")
        with self._lock:
            example = self.by_id.get(key)
            if example is None:
                example = self.by_id[key] = Example(key, raw, inputs, label, args, source)
            elif not example.resident:  # reached again while evicted: resident again
                example = self._replace(example, Example(key, raw, inputs, label, args, example.source,
                                                         example.index, example.predictions))
            if source == "dataset":  # a repeated example keeps its place in the data set's order
                if example.index is None:
                    example.index, example.source = len(self.examples), "dataset"
                self._positions.setdefault(key, []).append(len(self.examples))
                self.examples.append(example)
            if example.source == "dataset":
                self._use(example)
        return example

    def get(self, example_id: str) -> Example:
        return self.get_many([example_id])[0]

    def get_many(self, example_ids: Sequence[str]) -> List[Example]:
        """The examples with these ids, with their tensors (read again from the data set if evicted)."""
        with self._lock:
            try:
                found = [self.by_id[i] for i in example_ids]
            except KeyError as err:
                raise not_found(f"unknown example {err.args[0]!r}; request a page first", "examples") from None
            return self._restore(found)

    # --- memory ----------------------------------------------------------------------------------
    def _use(self, example: Example) -> None:
        if example.id not in self._resident:
            self._resident[example.id] = example.nbytes()
            self._resident_bytes += self._resident[example.id]
        self._resident.move_to_end(example.id)

    def _evict(self) -> None:
        """Drop the tensors of the least recently used data-set examples beyond the budget.

        Jobs hold their own references to the examples they run on, so they are unaffected."""
        while self._resident_bytes > self._limits.max_examples_bytes and len(self._resident) > 1:
            key, size = self._resident.popitem(last=False)
            self._resident_bytes -= size
            self._replace(self.by_id[key], self.by_id[key].evicted())

    def _replace(self, old: Example, new: Example) -> Example:
        self.by_id[old.id] = new
        for position in self._positions.get(old.id, ()):
            self.examples[position] = new
        return new

    def _restore(self, examples: List[Example]) -> List[Example]:
        """``examples`` with every evicted one read again from the data set (one pass)."""
        missing = {e.index: e for e in examples if not e.resident}
        if missing:
            source = self._dataset() if callable(self._dataset) else self._dataset
            if iter(source) is source:
                raise InsightsError(
                    f"{len(missing)} example(s) were dropped from memory (over Limits.max_examples_bytes = "
                    f"{self._limits.max_examples_bytes} bytes) and the data set is a one-shot iterator; pass a "
                    "list or a callable that returns a fresh iterable, or raise the limit", code=410, kind="evicted",
                    field="examples")
            position = 0
            for batch in source:
                rows = self._rows(batch)
                for offset, (raw, label, args) in enumerate(rows):
                    if position + offset in missing:
                        self.add(raw, label, args, source="reread")
                position += len(rows)
                if position > max(missing):
                    break
            examples = [self.by_id[e.id] for e in examples]
            if not all(e.resident for e in examples):
                raise InsightsError("the data set changed since it was first read: evicted examples could not "
                                    "be found again", code=500, kind="dataset_error", field="examples")
        for e in examples:
            if e.source == "dataset":
                self._use(e)
        self._evict()
        return examples

    def at(self, index: int) -> Example:
        """The data set's ``index``-th example (reading forward to it if not reached yet)."""
        with self._lock:
            while len(self.examples) <= index and not self.exhausted:
                self._next_batch()
            if not 0 <= index < len(self.examples):
                raise not_found(f"the data set has no example {index} ({len(self.examples)} examples)", "index")
            return self._restore([self.examples[index]])[0]

    def template(self) -> Example:
        """The first example of the data set: shapes for uploads."""
        with self._lock:
            if not self.examples and not self.exhausted:
                self._next_batch()
            if not self.examples:
                raise InsightsError("the data set is empty", code=500, kind="dataset_error")
            return self._restore([self.examples[0]])[0]

    def mean(self, feature: int, count: int = 256) -> Optional[Tensor]:
        """The mean model input of a feature over the first ``count`` examples reached."""
        with self._lock:
            while len(self.examples) < count and not self.exhausted:
                if not self._next_batch():
                    break
            rows = [e.inputs[feature] for e in self._restore(self.examples[:count])]
        if not rows or not torch.is_floating_point(rows[0]):
            return None
        return torch.stack(rows).mean(0)

    # --- pages ---------------------------------------------------------------------------------
    def page(self, matches: Callable[[Example], bool], key: Tuple, page: int,
             page_size: int) -> Tuple[List[Example], bool, int]:
        """(examples, has_more, scanned this call) for page ``page`` of the filtered examples."""
        with self._lock:
            found, position = self._matches.get(key, ([], 0))
            want = (page + 1) * page_size + 1  # one more tells whether a next page exists
            scanned = pulls = 0
            while len(found) < want and scanned < self._limits.max_scan:
                if position >= len(self.examples):
                    pulls += 1  # an endless run of empty batches must end too
                    if self.exhausted or pulls > self._limits.max_scan or not self._next_batch():
                        break
                    continue
                if matches(self.examples[position]):
                    found.append(position)
                position += 1
                scanned += 1
            self._matches[key] = (found, position)
            more = len(found) > (page + 1) * page_size or not (self.exhausted and position >= len(self.examples))
            chosen = self._restore([self.examples[i] for i in found[page * page_size:(page + 1) * page_size]])
            return chosen, more, scanned
