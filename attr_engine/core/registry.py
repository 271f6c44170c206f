"""The method registry: what the dashboard needs to list methods and build their forms.

Each method class is registered by a decorator next to its definition, declaring the
arguments a user may set (type, default, bounds, help), its family and its capabilities.
Adding a method is one module plus its decorator; the UI and the conformance tests pick it up.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, Optional, Tuple

FAMILIES = ("gradient", "perturbation", "layer", "neuron")
PARAM_TYPES = ("int", "float", "bool", "choice", "str", "ints")  # ints: a list of integers


MAX_INT = 2 ** 31 - 1  # an integer argument without a maximum of its own stays below this

# words of argument names spelled out for people (``nt_samples`` -> "noise samples")
WORDS = {"nt": "noise", "stdevs": "standard deviation", "eps": "epsilon", "attr": "attribution",
         "dim": "dimension", "perturbations": "perturbations", "eval": "evaluation"}


def readable(name: str) -> str:
    """A name as a dashboard user reads it: ``IntegratedGradients`` -> "Integrated Gradients",
    ``n_steps`` -> "steps", ``nt_samples_batch_size`` -> "noise samples batch size"."""
    if "_" not in name and name[:1].isupper():
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    words = name.split("_")
    if len(words) > 1 and words[0] == "n":
        words = words[1:]
    return " ".join(WORDS.get(w, w) for w in words)


def _shown(value: Any, limit: int = 40) -> str:
    """A value in an error message, cut short: a client may send megabytes."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ArgumentError(Exception):
    """A user value a :class:`Param` refuses. ``argument`` is its name, ``requirement`` what
    it must be ("must be between 1 and 2000"); the message names both, for Python users, and
    a front end can say it in its own words (see :meth:`MethodSpec.describe_error`)."""

    def __init__(self, argument: str, requirement: str, value: Any, message: Optional[str] = None) -> None:
        super().__init__(message or f"`{argument}` {requirement}, got {_shown(value)}")
        self.argument, self.requirement, self.value = argument, requirement, value


class ArgumentValueError(ArgumentError, ValueError):
    """A setting with a value outside what the method accepts (bounds, choices, finiteness)."""


class ArgumentTypeError(ArgumentError, TypeError):
    """A setting of the wrong type (e.g. text where a number is expected)."""


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

    @property
    def label(self) -> str:
        """The argument's name as a dashboard user reads it."""
        return readable(self.name)

    def _bounds(self) -> str:
        low, high = self.minimum, self.maximum
        number = "a whole number" if self.type in ("int", "ints") else "a number"
        plain = [None if b is None else (int(b) if float(b).is_integer() else b) for b in (low, high)]
        if low is not None and high is not None:
            return f"must be {number} between {plain[0]} and {plain[1]}"
        if low is not None:
            return f"must be {number} of at least {plain[0]}"
        if high is not None:
            return f"must be {number} of at most {plain[1]}"
        return f"must be {number}"

    def validate(self, value: Any) -> Any:
        """Check a user-supplied value; returns it (ints given as floats are converted).
        Refuses NaN, infinities and numbers too large to hold, whatever the bounds."""
        if value is None:
            if self.nullable:
                return None
            raise ArgumentValueError(self.name, "may not be empty", value)
        if self.type == "bool":
            if not isinstance(value, bool):
                raise ArgumentTypeError(self.name, "must be true or false", value)
            return value
        if self.type == "choice":
            if isinstance(value, (list, dict)) or value not in self.choices:
                raise ArgumentValueError(self.name, f"must be one of {', '.join(map(str, self.choices))}", value)
            return value
        if self.type == "str":
            if not isinstance(value, str):
                raise ArgumentTypeError(self.name, "must be a text", value)
            return value
        if self.type == "ints":
            requirement = self._bounds().replace("must be a whole number", "must be a list of whole numbers")
            if not isinstance(value, (list, tuple)) or not value:
                raise ArgumentTypeError(self.name, requirement, value)
            item = Param(self.name, "int", minimum=self.minimum, maximum=self.maximum)
            try:
                return tuple(item.validate(v) for v in value)
            except ArgumentError as exc:
                raise type(exc)(self.name, requirement, value) from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ArgumentTypeError(self.name, self._bounds(), value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ArgumentValueError(self.name, f"{self._bounds()} (not NaN or infinite)", value)
        if self.type == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ArgumentTypeError(self.name, self._bounds(), value)
            value = int(value)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise ArgumentValueError(self.name, self._bounds(), value)
        if self.type == "int" and abs(value) > MAX_INT:
            raise ArgumentValueError(self.name, f"{self._bounds()} and at most {MAX_INT}", value)
        if self.type == "float":
            try:
                return float(value)
            except OverflowError:  # an integer beyond any float
                raise ArgumentValueError(self.name, self._bounds(), value) from None
        return value

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

    @property
    def label(self) -> str:
        """The method's name as a dashboard user reads it ("Integrated Gradients")."""
        return readable(self.name)

    def describe_error(self, exc: ArgumentError) -> str:
        """A refused argument in a dashboard user's words: "Integrated Gradients: steps must be
        a whole number between 1 and 2000"."""
        known = {p.name: p for p in self.params}
        if exc.argument in known:
            return f"{self.label}: {known[exc.argument].label} {exc.requirement}"
        settings = ", ".join(p.label for p in self.params)
        return (f"{self.label} has no setting {_shown(exc.argument)}; "
                + (f"its settings are: {settings}" if settings else "it has no settings"))

    def split_args(self, values: Dict[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Validate user values and split them into (constructor kwargs, attribute kwargs)."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known), key=str)
        if unknown:
            raise ArgumentValueError(unknown[0], "is not an argument", values[unknown[0]], message=(
                f"{self.name} has no argument(s) {', '.join(_shown(u) for u in unknown)}; it accepts {sorted(known)}"))
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
