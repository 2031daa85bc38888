"""The classic from-scratch sanity problems, learned with the core."""
import numpy as np
import pytest

import nn

F64 = np.float64


def train_step(model, optimizer, loss, x, y):
    out, caches = model.forward(x)
    value, dout = loss(out, y)
    optimizer.zero_grad()
    model.backward(dout, caches)
    optimizer.step()
    return value


def accuracy(model, x, y):
    logits, _ = model.forward(x)
    return float(np.mean(logits.argmax(axis=1) == y))


def test_linear_regression_by_sgd():
    """y = -x + 5 is recovered exactly from noiseless samples."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (64, 1))
    y = -x + 5
    model = nn.Sequential(nn.Linear(1, 1, dtype=F64, rng=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    for _ in range(500):
        loss = train_step(model, opt, nn.mse_loss, x, y)
    W, b = model.layers[0].W.data, model.layers[0].b.data
    assert loss < 1e-8
    np.testing.assert_allclose([W[0, 0], b[0]], [-1, 5], atol=1e-4)


@pytest.mark.parametrize("weight_decay", [0.0, 1e-4])
def test_xor_with_two_sigmoid_layers(weight_decay):
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], F64)
    y = np.array([[0], [1], [1], [0]], F64)
    model = nn.Sequential(nn.Linear(2, 4, dtype=F64, rng=0), nn.Sigmoid(),
                          nn.Linear(4, 1, dtype=F64, rng=1), nn.Sigmoid())
    opt = nn.SGD(model.parameters(), lr=2.0, momentum=0.9, weight_decay=weight_decay)
    losses = [train_step(model, opt, nn.mse_loss, x, y) for _ in range(2000)]
    pred, _ = model.forward(x)
    assert losses[-1] < 0.01 < losses[0]
    assert np.array_equal(pred.round(), y)


def spirals(rng, n_per_class=100, classes=3):
    """cs231n's toy set: three interleaved spiral arms, not linearly separable."""
    r = np.tile(np.linspace(0, 1, n_per_class), classes)
    label = np.repeat(np.arange(classes), n_per_class)
    theta = label * 4 + np.linspace(0, 4, n_per_class)[None].repeat(classes, 0).ravel()
    theta += rng.normal(0, 0.2, theta.shape)
    return np.c_[r * np.sin(theta), r * np.cos(theta)], label


@pytest.mark.parametrize("make_optimizer", [
    lambda p: nn.SGD(p, lr=0.5, momentum=0.9, weight_decay=1e-3),
    lambda p: nn.Adagrad(p, lr=0.5, weight_decay=1e-3),
    lambda p: nn.Adam(p, lr=0.02, weight_decay=1e-3),
], ids=["sgd-momentum", "adagrad", "adam"])
def test_relu_softmax_classifier_separates_spirals(make_optimizer):
    rng = np.random.default_rng(0)
    x, y = spirals(rng)
    model = nn.Sequential(nn.Linear(2, 100, dtype=F64, rng=0), nn.ReLU(),
                          nn.Linear(100, 3, dtype=F64, rng=1))
    linear = nn.Sequential(nn.Linear(2, 3, dtype=F64, rng=0))
    for m in (model, linear):
        opt = make_optimizer(m.parameters())
        for _ in range(150):
            for batch in np.array_split(rng.permutation(len(x)), 10):
                train_step(m, opt, nn.softmax_cross_entropy, x[batch], y[batch])
    assert accuracy(linear, x, y) < 0.7  # the data really needs the hidden layer
    assert accuracy(model, x, y) > 0.95


def test_linear_softmax_on_16_binary_examples():
    """All 16 four-bit vectors, label = third bit; trained on 12, exact on the other 4."""
    x = np.array([[(i >> k) & 1 for k in range(4)] for i in range(16)], F64)
    y = x[:, 2].astype(int)
    held_out = np.array([1, 6, 11, 12])
    train = np.setdiff1d(np.arange(16), held_out)
    model = nn.Sequential(nn.Linear(4, 2, dtype=F64, rng=0))
    opt = nn.SGD(model.parameters(), lr=0.5)
    for _ in range(200):
        train_step(model, opt, nn.softmax_cross_entropy, x[train], y[train])
    assert accuracy(model, x[train], y[train]) == 1.0
    assert accuracy(model, x[held_out], y[held_out]) == 1.0
