"""Bad input fails at the call with the argument's name, not deep inside NumPy."""
import numpy as np
import pytest

import nn


def test_linear_shape_and_dtype():
    layer = nn.Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(\.\.\., 3\), got \(4, 5\)"):
        layer.forward(np.zeros((4, 5), np.float32))
    with pytest.raises(TypeError, match="x must have dtype float32.*float64"):
        layer.forward(np.zeros((4, 3)))
    with pytest.raises(TypeError, match="x must be a NumPy array"):
        layer.forward([[1.0, 2.0, 3.0]])
    _, cache = layer.forward(np.zeros((4, 3), np.float32))
    with pytest.raises(ValueError, match="dy must have shape"):
        layer.backward(np.zeros((4, 3), np.float32), cache)


def test_embedding_ids():
    emb = nn.Embedding(5, 2, rng=0)
    with pytest.raises(TypeError, match="ids must hold integers"):
        emb.forward(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 5\)"):
        emb.forward(np.array([0, 5]))


def test_loss_arguments():
    logits = np.zeros((4, 3), np.float32)
    with pytest.raises(ValueError, match="targets must have shape"):
        nn.softmax_cross_entropy(logits, np.zeros(5, int))
    with pytest.raises(ValueError, match="targets must lie in"):
        nn.softmax_cross_entropy(logits, np.array([0, 1, 2, 3]))
    with pytest.raises(TypeError, match="targets must hold integers"):
        nn.softmax_cross_entropy(logits, np.zeros(4))
    with pytest.raises(ValueError, match="mask must have shape"):
        nn.softmax_cross_entropy(logits, np.zeros(4, int), mask=np.ones(3, bool))
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.softmax_cross_entropy(logits, np.zeros(4, int), reduction="avg")
    with pytest.raises(TypeError, match="logits must hold floats"):
        nn.logistic_loss(np.zeros(3, int), np.zeros(3))
    with pytest.raises(ValueError, match="target must have shape"):
        nn.mse_loss(np.zeros((2, 1)), np.zeros(2))


def test_recurrent_arguments():
    lstm = nn.LSTM(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(N, T, 3\)"):
        lstm.forward(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match=r"state must be a tuple \(h, c\)"):
        lstm.forward(np.zeros((2, 5, 3), np.float32), np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"state.c must have shape \(2, 4\)"):
        h, bad_c = np.zeros((2, 4), np.float32), np.zeros((3, 4), np.float32)
        lstm.forward(np.zeros((2, 5, 3), np.float32), (h, bad_c))
    _, _, cache = lstm.forward(np.zeros((2, 5, 3), np.float32))
    with pytest.raises(ValueError, match="dhs must have shape"):
        lstm.backward(np.zeros((2, 4, 4), np.float32), cache)


def test_optimizer_settings():
    with pytest.raises(ValueError, match="lr must be positive"):
        nn.SGD([], lr=0)
    with pytest.raises(ValueError, match="weight_decay"):
        nn.Adam([], lr=0.1, weight_decay=-1)


@pytest.mark.filterwarnings("error")
def test_activations_and_losses_do_not_overflow():
    x = np.array([-1e4, -100.0, 0.0, 100.0, 1e4], np.float32)
    for Act in (nn.Sigmoid, nn.Tanh, nn.ReLU):
        y, _ = Act().forward(x)
        assert np.all(np.isfinite(y))
    loss, dz = nn.logistic_loss(x, np.array([1, 0, 1, 1, 0]))
    assert np.isfinite(loss) and np.all(np.isfinite(dz))
    loss, dz = nn.softmax_cross_entropy(x[None], np.array([0]))
    assert loss == pytest.approx(2e4) and np.all(np.isfinite(dz))
