"""ProductBaselines: baselines drawn from the Cartesian product of per-feature choices."""

from __future__ import annotations

import random
from typing import Any, Dict, List, Tuple, Union


class ProductBaselines:
    """Each call samples one value per feature (or per group of features, for a tuple key),
    uniformly with Python's ``random``, returning a list or a dict like the input."""

    def __init__(self, baseline_values: Union[List[List[Any]], Dict[Union[str, Tuple[str, ...]], List[Any]]]) -> None:
        if isinstance(baseline_values, dict):
            self.dict_keys = list(baseline_values)
            baseline_values = [baseline_values[k] for k in self.dict_keys]
        elif isinstance(baseline_values, list):
            self.dict_keys = []
        else:
            raise TypeError(f"`baseline_values` must be a list of lists or a dict, "
                            f"got {type(baseline_values).__name__}")
        for i, choices in enumerate(baseline_values):
            if not isinstance(choices, (list, tuple)) or not choices:
                raise ValueError(f"`baseline_values` entry {i} must be a non-empty list of choices")
        self.baseline_values = baseline_values

    def sample(self) -> Union[List[Any], Dict[str, Any]]:
        picks = [random.choice(choices) for choices in self.baseline_values]
        if not self.dict_keys:
            return picks
        result: Dict[str, Any] = {}
        for key, value in zip(self.dict_keys, picks):
            keys, values = (key, value) if isinstance(key, tuple) else ((key,), (value,))
            if len(keys) != len(values):
                raise ValueError(f"baseline choice {value!r} for the grouped key {key} must have "
                                 f"{len(keys)} values")
            result.update(zip(keys, values))
        return result

    def __call__(self) -> Union[List[Any], Dict[str, Any]]:
        return self.sample()
