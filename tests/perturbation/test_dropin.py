"""Behaviours Captum users rely on (issue 19), each compared with Captum 0.9 where it gives
numbers: baseline broadcasting, integer inputs, float feature masks, inputs that require
grad, ``attribute_future``, odd additional arguments and empty inputs, output dtypes, the SGD
surrogates' stopping rule and the progress-bar labels."""

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import attr_engine
import captum._utils.models.linear_model as captum_linear
import captum.attr
from tests.parity import assert_close


def linear3():
    """The issue's model: y = [x·(1,2,3), -x·(1,2,3)]."""
    m = nn.Linear(3, 2, bias=False)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([[1.0, 2, 3], [-1, -2, -3]]))
    return m


X = torch.tensor([[20.0, 50.0, 30.0]])


def both(name, forward, *args, init=None, seed=0, **kwargs):
    out = []
    for lib in (attr_engine, captum.attr):
        torch.manual_seed(seed)
        out.append(getattr(lib, name)(forward, **(init or {})).attribute(*args, **kwargs))
    return out


# --- item 9: SGD surrogates stop on the running average of the loss ----------------------

SGD_X = torch.tensor([[0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5]])
SGD_Y = torch.tensor([1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("name", ["SGDLasso", "SGDRidge", "SGDLinearRegression"])
@pytest.mark.parametrize("batch_size", [1, 2, 4])
def test_sgd_surrogates_match_captum(name, batch_size):
    fits = []
    for lib in (attr_engine, captum_linear):
        model = getattr(lib, name)()
        stats = model.fit(DataLoader(TensorDataset(SGD_X, SGD_Y), batch_size=batch_size),
                          init_scheme="zeros", max_epoch=150, initial_lr=0.1, patience=5)
        fits.append((model.representation(), model.bias(), stats))
    (w, b, ours), (cw, cb, theirs) = fits
    torch.testing.assert_close(w, cw, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(b, cb, rtol=1e-4, atol=1e-6)
    assert (ours["train_iter"], ours["train_epoch"]) == (theirs["train_iter"], theirs["train_epoch"])
    assert ours["train_loss"] == pytest.approx(theirs["train_loss"], rel=1e-4)


def test_sgd_lasso_issue_numbers():
    model = attr_engine.SGDLasso()
    model.fit(DataLoader(TensorDataset(SGD_X, SGD_Y), batch_size=4), init_scheme="zeros",
              max_epoch=150, initial_lr=0.1, patience=5)
    torch.testing.assert_close(model.representation(), torch.tensor([[0.0457, 0.0049]]), atol=1e-4, rtol=0)
    torch.testing.assert_close(model.bias(), torch.tensor([0.2343]), atol=1e-4, rtol=0)
