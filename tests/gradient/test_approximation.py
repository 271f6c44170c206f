import numpy as np
import pytest

from attr_engine.core.approximation import approximation_parameters, gauss_legendre


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 123, 400])
def test_gauss_legendre_equals_numpy(n):
    nodes, weights = gauss_legendre(n)
    ref_nodes, ref_weights = np.polynomial.legendre.leggauss(n)
    np.testing.assert_allclose(nodes, ref_nodes, atol=1e-13)
    np.testing.assert_allclose(weights, ref_weights, atol=1e-13)


@pytest.mark.parametrize("method", ["riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid",
                                    "gausslegendre"])
def test_rules_integrate_polynomials(method):
    step_sizes, alphas = approximation_parameters(method, 64)
    assert len(step_sizes) == len(alphas) == 64 and all(0 <= a <= 1 for a in alphas)
    integral = sum(w * a ** 2 for w, a in zip(step_sizes, alphas))
    exact = method == "gausslegendre"
    assert abs(integral - 1 / 3) < (1e-12 if exact else 2e-2)
