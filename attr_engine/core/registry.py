"""The method registry: what the dashboard needs to list methods and build their forms.

Each method class is registered by a decorator next to its definition, declaring the
arguments a user may set (type, default, bounds, help), its family and its capabilities.
Adding a method is one module plus its decorator; the UI and the conformance tests pick it up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

FAMILIES = ("gradient", "perturbation", "layer", "neuron")
PARAM_TYPES = ("int", "float", "bool", "choice", "str", "ints")  # ints: a list of integers


@dataclass(frozen=True)
class Param:
    """One user-settable argument. ``stage`` says whether it goes to the constructor
    (``init``) or to ``attribute``."""

    name: str
    type: str
    default: Any = None
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    choices: Tuple[Any, ...] = ()
    nullable: bool = False
    help: str = ""
    stage: str = "attribute"

    def __post_init__(self) -> None:
        if self.type not in PARAM_TYPES:
            raise ValueError(f"Param {self.name!r}: type must be one of {PARAM_TYPES}")
        if self.stage not in ("init", "attribute"):
            raise ValueError(f"Param {self.name!r}: stage must be 'init' or 'attribute'")

    def validate(self, value: Any) -> Any:
        """Check a user-supplied value; returns it (ints given as floats are converted)."""
        if value is None:
            if self.nullable:
                return None
            raise ValueError(f"`{self.name}` may not be empty")
        if self.type == "bool":
            if not isinstance(value, bool):
                raise TypeError(f"`{self.name}` must be true or false, got {value!r}")
            return value
        if self.type == "choice":
            if value not in self.choices:
                raise ValueError(f"`{self.name}` must be one of {list(self.choices)}, got {value!r}")
            return value
        if self.type == "str":
            if not isinstance(value, str):
                raise TypeError(f"`{self.name}` must be a string, got {value!r}")
            return value
        if self.type == "ints":
            if not isinstance(value, (list, tuple)) or not value:
                raise TypeError(f"`{self.name}` must be a non-empty list of integers, got {value!r}")
            return tuple(Param(self.name, "int", minimum=self.minimum, maximum=self.maximum).validate(v)
                         for v in value)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"`{self.name}` must be a number, got {value!r}")
        if self.type == "int":
            if int(value) != value:
                raise TypeError(f"`{self.name}` must be an integer, got {value!r}")
            value = int(value)
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"`{self.name}` must be at least {self.minimum}, got {value}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"`{self.name}` must be at most {self.maximum}, got {value}")
        return float(value) if self.type == "float" else value

    def to_json(self) -> Dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        return data


@dataclass(frozen=True)
class MethodSpec:
    name: str
    cls: type
    family: str
    params: Tuple[Param, ...] = ()
    baselines: str = "none"  # "none" | "optional" | "distribution"
    stochastic: bool = False
    needs_layer: bool = False
    needs_neuron: bool = False
    convergence_delta: bool = False
    progress: bool = False
    factory: Optional[Callable[..., Any]] = field(default=None, compare=False)
    help: str = ""

    def create(self, forward_func: Any, layer: Any = None, **init_kwargs: Any) -> Any:
        """Instantiate the method on a model (and layer, for layer and neuron methods)."""
        if self.factory is not None:
            return self.factory(forward_func, layer=layer, **init_kwargs)
        if self.needs_layer:
            return self.cls(forward_func, layer, **init_kwargs)
        return self.cls(forward_func, **init_kwargs)

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}")

    def split_args(self, values: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Validate user values and split them into (constructor kwargs, attribute kwargs)."""
        known = {p.name: p for p in self.params}
        unknown = set(values) - set(known)
        if unknown:
            raise ValueError(f"{self.name} has no argument(s) {sorted(unknown)}; "
                             f"it accepts {sorted(known)}")
        init, call = {}, {}
        for name, value in values.items():
            p = known[name]
            (init if p.stage == "init" else call)[name] = p.validate(value)
        return init, call

    def to_json(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "params": [p.to_json() for p in self.params],
            "baselines": self.baselines,
            "stochastic": self.stochastic,
            "needs_layer": self.needs_layer,
            "needs_neuron": self.needs_neuron,
            "convergence_delta": self.convergence_delta,
            "progress": self.progress,
            "help": self.help,
        }


REGISTRY: Dict[str, MethodSpec] = {}


def register(family: str, *, params: Tuple[Param, ...] = (), **capabilities: Any):
    """Class decorator: add the method to :data:`REGISTRY` under its class name."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")

    def decorate(cls: type) -> type:
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        spec = MethodSpec(cls.__name__, cls, family, tuple(params),
                          help=capabilities.pop("help", " ".join(doc.split())), **capabilities)
        REGISTRY[cls.__name__] = spec
        return cls

    return decorate


def get_method(name: str) -> MethodSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown attribution method {name!r}; known: {sorted(REGISTRY)}") from None
