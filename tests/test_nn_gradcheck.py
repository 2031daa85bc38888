"""The gradient checker itself: it can fail, and a NaN never passes."""
import numpy as np
import pytest
from nn_checks import assert_close

import nn


def test_checker_rejects_float32():
    layer = nn.Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match="float64"):
        nn.check_gradients(lambda: (0.0, {}), dict(layer.named_parameters()))


def test_checker_catches_a_wrong_gradient():
    """A backward with a deliberate factor of 2 is reported."""
    x = np.array([1.0, 2.0])
    errors = nn.check_gradients(lambda: (float(np.sum(x**2)), {"x": 4 * x}), inputs={"x": x})
    assert errors["x"] > 0.1


def test_a_nan_gradient_fails_even_after_a_good_one():
    x, y = np.array([1.0, 2.0]), np.array([3.0])

    def loss_fn():
        return float(np.sum(x**2) + y[0]), {"x": 2 * x, "y": np.array([np.nan])}

    errors = nn.check_gradients(loss_fn, inputs={"x": x, "y": y})
    assert errors["x"] < 1e-6 and errors["y"] == np.inf
    with pytest.raises(AssertionError):
        assert_close(errors)
