"""Surrogate models: the torch solvers give scikit-learn's answers; the SGD models learn."""

import sys

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

import attr_engine
from attr_engine import (
    SGDLasso,
    SGDLinearRegression,
    SGDRidge,
    SkLearnLasso,
    SkLearnLinearRegression,
    SkLearnRidge,
    TorchLasso,
    TorchLinearRegression,
    TorchRidge,
)


def _data(n=80, d=5, weighted=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.bernoulli(torch.full((n, d), 0.5), generator=g)
    coef = torch.tensor([2.0, -1.0, 0.0, 0.5, 3.0])[:d]
    y = x @ coef + 0.7 + 0.05 * torch.randn(n, generator=g)
    w = torch.rand(n, generator=g) + 0.2 if weighted else None
    data = TensorDataset(x, y, w) if weighted else TensorDataset(x, y)
    return DataLoader(data, batch_size=n), coef


@pytest.mark.parametrize("ours,theirs,tol", [
    (TorchLinearRegression(), SkLearnLinearRegression(), 1e-5),
    (TorchRidge(alpha=0.5), SkLearnRidge(alpha=0.5), 1e-5),
    (TorchLasso(alpha=0.01), SkLearnLasso(alpha=0.01), 1e-4),
    (TorchLasso(alpha=0.3), SkLearnLasso(alpha=0.3), 1e-4),
])
@pytest.mark.parametrize("weighted", [True, False])
def test_torch_solvers_match_sklearn(ours, theirs, tol, weighted):
    data, _ = _data(weighted=weighted)
    ours.fit(data)
    theirs.fit(data)
    torch.testing.assert_close(ours.representation(), theirs.representation(), rtol=tol, atol=tol)
    torch.testing.assert_close(ours.bias(), theirs.bias(), rtol=tol, atol=tol)
    assert ours.representation().shape == (1, 5)


def test_least_squares_underdetermined_is_minimum_norm():
    data, _ = _data(n=3, weighted=False)
    ours, theirs = TorchLinearRegression(), SkLearnLinearRegression()
    ours.fit(data)
    theirs.fit(data)
    torch.testing.assert_close(ours.representation(), theirs.representation(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("model,alpha,tol", [(SGDLinearRegression, None, 0.1), (SGDRidge, 1e-4, 0.1),
                                              (SGDLasso, 1e-4, 0.1)])
def test_sgd_models_learn_the_coefficients(model, alpha, tol):
    data, coef = _data(weighted=False)
    surrogate = model()
    kwargs = {} if alpha is None else {"alpha": alpha}
    stats = surrogate.fit(data, initial_lr=0.3, max_epoch=3000, patience=200, **kwargs)
    torch.testing.assert_close(surrogate.representation()[0], coef, rtol=0, atol=tol)
    assert stats["train_iter"] > 0


def test_linear_model_forward_and_errors():
    surrogate = TorchLinearRegression()
    with pytest.raises(RuntimeError, match="fit"):
        surrogate.representation()
    data, _ = _data()
    surrogate.fit(data)
    x = torch.eye(5)
    torch.testing.assert_close(surrogate(x)[:, 0], surrogate.representation()[0] + surrogate.bias())
    with pytest.raises(ValueError, match="norm_type"):
        surrogate._construct_model_params(in_features=2, out_features=1, norm_type="group_norm")


def test_lime_defaults_without_sklearn(monkeypatch):
    """Lime's default surrogate is SkLearnLasso(alpha=0.01), and TorchLasso without sklearn."""
    assert isinstance(attr_engine.Lime(lambda x: x).interpretable_model, SkLearnLasso)
    assert attr_engine.Lime(lambda x: x).interpretable_model.construct_kwargs == {"alpha": 0.01}
    for name in ("sklearn", "sklearn.linear_model", "sklearn.svm"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    lime = attr_engine.Lime(lambda x: x)
    assert isinstance(lime.interpretable_model, TorchLasso)
    assert lime.interpretable_model.construct_kwargs["alpha"] == 0.01
    with pytest.raises(ImportError, match="scikit-learn"):
        SkLearnLasso().fit(_data()[0])


def test_lime_with_torch_lasso_close_to_sklearn():
    from tests.perturbation.cases import case, grouped_mask
    model, inputs, _ = case("cnn16", batch=1)
    results = []
    for surrogate in (SkLearnLasso(alpha=0.01), TorchLasso(alpha=0.01)):
        torch.manual_seed(0)
        results.append(attr_engine.Lime(model, interpretable_model=surrogate).attribute(
            inputs, target=0, feature_mask=grouped_mask("cnn16"), n_samples=50))
    torch.testing.assert_close(results[0], results[1], rtol=1e-3, atol=1e-4)
