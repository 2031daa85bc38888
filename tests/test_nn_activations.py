"""Activations: gradients, precision in both tails, softmax."""
import numpy as np
import pytest
from nn_checks import assert_close, check_layer, rand
from scipy.special import expit, log_softmax

import nn


@pytest.mark.parametrize("Activation", [nn.Sigmoid, nn.Tanh, nn.ReLU])
def test_gradients(Activation):
    rng = np.random.default_rng(0)
    x = rand(rng, 4, 5)
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU away from its kink
    assert_close(check_layer(Activation(), x, rng))


@pytest.mark.filterwarnings("error")
def test_sigmoid_is_accurate_in_both_tails_in_float32():
    x = np.linspace(-87, 30, 100_001).astype(np.float32)
    exact = expit(x.astype(np.float64))
    relative = np.abs(nn.sigmoid(x) - exact) / exact
    assert relative.max() < 4 * np.finfo(np.float32).eps
    assert nn.sigmoid(np.float32([-20]))[0] == pytest.approx(2.0611536e-09, rel=1e-6)
    assert nn.sigmoid(np.float32([-1e4, 1e4])).tolist() == [0, 1]


@pytest.mark.filterwarnings("error")
def test_softmax_and_log_softmax_of_huge_logits():
    z = np.array([[1000.0, 999.0, -1000.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(nn.log_softmax(z), log_softmax(z, axis=-1), atol=1e-12)
    np.testing.assert_allclose(nn.softmax(z), np.exp(log_softmax(z, axis=-1)), atol=1e-12)
    np.testing.assert_allclose(nn.softmax(z, axis=0).sum(axis=0), 1)


def test_activation_layers_are_finite_for_huge_inputs():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], np.float32)
    for Act in (nn.Sigmoid, nn.Tanh, nn.ReLU):
        y, _ = Act().forward(x)
        assert np.all(np.isfinite(y))
