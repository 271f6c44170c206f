"""What a data-set job computes: a registered method, its arguments, target and baselines.

A :class:`JobSpec` is plain data (saved in the store's manifest), so a restarted job can check
that it continues the same computation. :func:`make_spec` validates every choice against the
engine's registry and the features, raising ValueError/TypeError that name the argument.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Union

from attr_engine import REGISTRY

DTYPES = ("float32", "float16")
TARGETS = ("label", "predicted")


@dataclass(frozen=True)
class JobSpec:
    method: str
    args: Dict[str, Any] = field(default_factory=dict)
    target: Union[str, int] = "label"  # "label", "predicted", or a class index
    baselines: Dict[str, str] = field(default_factory=dict)  # feature name -> baseline option
    layer: Optional[str] = None
    neuron: Optional[List[int]] = None
    faithfulness: bool = False  # also score each example by its deletion AUC
    shard_size: int = 64
    limit: Optional[int] = None  # attribute only the first `limit` examples
    dtype: str = "float32"  # of the stored maps
    seed: int = 0  # stochastic methods draw from seed + shard index: any executor, same numbers

    @property
    def registered(self) -> Any:
        return REGISTRY[self.method]

    def split_args(self) -> tuple:
        return self.registered.split_args(dict(self.args))

    def to_json(self) -> Dict[str, Any]:
        return asdict(self)


def make_spec(method: str, features: Sequence[Any], *, args: Optional[Dict[str, Any]] = None,
              target: Union[str, int] = "label", baselines: Optional[Dict[str, str]] = None,
              layer: Optional[str] = None, neuron: Optional[Sequence[int]] = None, faithfulness: bool = False,
              shard_size: int = 64, limit: Optional[int] = None, dtype: str = "float32", seed: int = 0,
              classes: Optional[Sequence[str]] = None, model: Any = None) -> JobSpec:
    """A validated :class:`JobSpec`; a class target may be given by name when ``classes`` is."""
    if method not in REGISTRY:
        raise ValueError(f"`method` {method!r} is not a registered method; choose from {sorted(REGISTRY)}")
    registered = REGISTRY[method]
    args = dict(args or {})
    registered.split_args(args)  # raises ValueError/TypeError naming the argument
    args = {k: registered.param(k).validate(v) for k, v in args.items()}
    target = _target(target, classes)
    names = [f.name for f in features]
    baselines = dict(baselines or {})
    for name, option in baselines.items():
        if name not in names:
            raise ValueError(f"`baselines` names unknown feature {name!r}; features are {names}")
        options = next(f for f in features if f.name == name).baseline_options()
        if option not in options:
            raise ValueError(f"`baselines`: feature {name!r} has no baseline {option!r}; choose from {options}")
    internal = registered.needs_layer or registered.needs_neuron
    if internal and not layer:
        raise ValueError(f"`layer`: {method} attributes a layer; name one (dotted module name)")
    if layer and model is not None:
        try:
            model.get_submodule(layer)
        except AttributeError:
            raise ValueError(f"`layer`: the model has no layer {layer!r}") from None
    if registered.needs_neuron and not neuron:
        raise ValueError(f"`neuron`: {method} needs a neuron index")
    for name, value in (("shard_size", shard_size), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"`{name}` must be an integer, got {value!r}")
    if shard_size < 1:
        raise ValueError(f"`shard_size` must be at least 1, got {shard_size}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"`limit` must be a positive integer or None, got {limit!r}")
    if dtype not in DTYPES:
        raise ValueError(f"`dtype` must be one of {DTYPES}, got {dtype!r}")
    return JobSpec(method, args, target, baselines, layer or None, list(neuron) if neuron else None,
                   bool(faithfulness), shard_size, limit, dtype, seed)


def _target(target: Union[str, int], classes: Optional[Sequence[str]]) -> Union[str, int]:
    if isinstance(target, bool):
        raise TypeError(f"`target` must be 'label', 'predicted', a class index or a class name, got {target!r}")
    if isinstance(target, int):
        if target < 0 or (classes is not None and target >= len(classes)):
            raise ValueError(f"`target` class index {target} is out of range")
        return target
    if not isinstance(target, str):
        raise TypeError(f"`target` must be 'label', 'predicted', a class index or a class name, got {target!r}")
    if target in TARGETS:
        return target
    if classes is not None and target in classes:
        return list(classes).index(target)
    if target.isdigit():
        return _target(int(target), classes)
    raise ValueError(f"`target` must be 'label', 'predicted', a class index or one of the classes "
                     f"{list(classes or [])}, got {target!r}")
