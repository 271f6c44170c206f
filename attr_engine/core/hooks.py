"""Module hooks that are always removed, and gradient rules that rewrite a module's backward."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, List, Tuple

from torch import Tensor
from torch.nn import Module
from torch.utils.hooks import RemovableHandle

# rule(module, input, output, grad_input, grad_output) -> new grad_input
GradientRule = Callable[[Module, Tensor, Tensor, Tensor, Tensor], Tensor]


class HookSet:
    """Collects hook handles (and in-place flags switched off) and undoes them all on exit."""

    def __init__(self) -> None:
        self.handles: List[RemovableHandle] = []
        self._inplace: List[Module] = []

    def add(self, handle: RemovableHandle) -> None:
        self.handles.append(handle)

    def disable_inplace(self, module: Module) -> None:
        if getattr(module, "inplace", False):
            module.inplace = False
            self._inplace.append(module)

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        for module in self._inplace:
            module.inplace = True
        self.handles.clear()
        self._inplace.clear()


@contextmanager
def hooks() -> Iterator[HookSet]:
    """``with hooks() as h:`` — every hook added to `h` is removed on exit, even on error."""
    hook_set = HookSet()
    try:
        yield hook_set
    finally:
        hook_set.remove()


def add_gradient_rule(module: Module, rule: GradientRule, hook_set: HookSet) -> None:
    """Replace the gradient a single-input, single-output module passes back to its input.

    Each call of the module is handled separately (a reused module works), and in-place
    activations are switched to out-of-place while hooked so that the input stays intact."""
    pending: List[dict] = []
    hook_set.disable_inplace(module)

    def pre_hook(mod: Module, args: Tuple) -> Tuple:
        if not args or not isinstance(args[0], Tensor) or not args[0].requires_grad:
            return None
        x = args[0].clone()  # a node of our own whose gradient we may rewrite
        state = {"input": x.detach()}
        pending.append(state)

        def on_input_grad(grad_input: Tensor):
            if "grad_output" not in state:
                return None
            return rule(mod, state["input"], state["output"], grad_input, state["grad_output"])

        x.register_hook(on_input_grad)
        return (x, *args[1:])

    def forward_hook(mod: Module, args: Tuple, output) -> None:
        if not pending:
            return
        state = pending.pop()
        if not isinstance(output, Tensor):
            raise TypeError(f"{type(mod).__name__} returned {type(output).__name__}; "
                            "gradient rules need modules that return one tensor")
        state["output"] = output.detach()
        if output.requires_grad:
            output.register_hook(lambda g: state.__setitem__("grad_output", g))

    hook_set.add(module.register_forward_pre_hook(pre_hook))
    hook_set.add(module.register_forward_hook(forward_hook))
