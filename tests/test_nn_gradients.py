"""Every backward pass against central differences in float64 (max relative error < 1e-6)."""
import numpy as np
import pytest

import nn

TOL = 1e-6
F64 = np.float64


def rand(rng, *shape):
    return rng.standard_normal(shape)


def assert_close(errors):
    assert errors and max(errors.values()) < TOL, errors


def check_layer(layer, x, rng, input_name="x"):
    """Gradient check of a layer's forward/backward, contracted with a random upstream dout."""
    out, _ = layer.forward(x)
    dout = rand(rng, *out.shape)

    def loss_fn():
        out, cache = layer.forward(x)
        dx = layer.backward(dout, cache)
        return float(np.sum(out * dout)), {input_name: dx}

    inputs = {input_name: x} if x.dtype.kind == "f" else {}
    return nn.check_gradients(loss_fn, dict(layer.named_parameters()), inputs)


def test_linear():
    rng = np.random.default_rng(0)
    layer = nn.Linear(4, 3, dtype=F64, rng=1)
    layer.b.data[:] = rand(rng, 3)
    assert_close(check_layer(layer, rand(rng, 2, 5, 4), rng))


def test_linear_without_bias():
    rng = np.random.default_rng(0)
    assert_close(check_layer(nn.Linear(4, 3, bias=False, dtype=F64, rng=1), rand(rng, 6, 4), rng))


def test_embedding_with_repeated_ids():
    rng = np.random.default_rng(0)
    layer = nn.Embedding(7, 3, dtype=F64, rng=1)
    ids = np.array([[1, 4, 1], [6, 1, 0]])
    assert_close(check_layer(layer, ids, rng))


@pytest.mark.parametrize("Activation", [nn.Sigmoid, nn.Tanh, nn.ReLU])
def test_activations(Activation):
    rng = np.random.default_rng(0)
    x = rand(rng, 4, 5)
    x[np.abs(x) < 1e-3] = 0.5  # keep ReLU away from its kink
    assert_close(check_layer(Activation(), x, rng))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("use_mask", [False, True])
def test_softmax_cross_entropy(reduction, use_mask):
    rng = np.random.default_rng(0)
    logits = rand(rng, 3, 4, 5)
    targets = rng.integers(0, 5, (3, 4))
    mask = rng.random((3, 4)) > 0.3 if use_mask else None

    def loss_fn():
        loss, dlogits = nn.softmax_cross_entropy(logits, targets, reduction=reduction, mask=mask)
        return loss, {"logits": dlogits}

    assert_close(nn.check_gradients(loss_fn, inputs={"logits": logits}))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_logistic_loss(reduction):
    rng = np.random.default_rng(0)
    logits = 3 * rand(rng, 4, 6)
    labels = rng.random((4, 6)) > 0.5

    def loss_fn():
        loss, dlogits = nn.logistic_loss(logits, labels, reduction=reduction)
        return loss, {"logits": dlogits}

    assert_close(nn.check_gradients(loss_fn, inputs={"logits": logits}))


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mse_loss(reduction):
    rng = np.random.default_rng(0)
    pred, target = rand(rng, 5, 2), rand(rng, 5, 2)

    def loss_fn():
        loss, dpred = nn.mse_loss(pred, target, reduction=reduction)
        return loss, {"pred": dpred}

    assert_close(nn.check_gradients(loss_fn, inputs={"pred": pred}))


CELLS = [nn.RNN, nn.LSTM, nn.GRU]


def randomise(cell, rng):
    """Non-zero biases, so that every bias path is exercised."""
    for _, p in cell.named_parameters():
        p.data += 0.1 * rand(rng, *p.data.shape)


@pytest.mark.parametrize("Cell", CELLS)
def test_cell_sequence_from_given_state(Cell):
    """Gradients of a sequence with respect to x, the weights, and the initial state."""
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 4, 3, 5
    cell = Cell(D, H, dtype=F64, rng=1)
    randomise(cell, rng)
    x = rand(rng, N, T, D)
    state0 = tuple(rand(rng, N, H) for _ in cell.state_names)
    dhs = rand(rng, N, T, H)
    dfinal = tuple(rand(rng, N, H) for _ in cell.state_names)

    def loss_fn():
        hs, final, cache = cell.forward(x, state0)
        loss = np.sum(hs * dhs) + sum(np.sum(s * d) for s, d in zip(final, dfinal))
        dx, dstate0 = cell.backward(dhs, cache, dfinal)
        dstate0 = {f"state0.{n}": d for n, d in zip(cell.state_names, dstate0)}
        return float(loss), {"x": dx, **dstate0}

    inputs = {"x": x, **{f"state0.{n}": s for n, s in zip(cell.state_names, state0)}}
    assert_close(nn.check_gradients(loss_fn, dict(cell.named_parameters()), inputs))


@pytest.mark.parametrize("Cell", CELLS)
def test_cell_two_windows_with_carried_state(Cell):
    """Truncated BPTT's building block: the final state of window 1 starts window 2, and
    backward through window 2 hands its state gradient to window 1."""
    rng = np.random.default_rng(0)
    N, T, D, H = 2, 3, 3, 4
    cell = Cell(D, H, dtype=F64, rng=1)
    randomise(cell, rng)
    x1, x2 = rand(rng, N, T, D), rand(rng, N, T, D)
    dhs1, dhs2 = rand(rng, N, T, H), rand(rng, N, T, H)

    def loss_fn():
        hs1, state, cache1 = cell.forward(x1)
        hs2, _, cache2 = cell.forward(x2, state)
        dx2, dstate = cell.backward(dhs2, cache2)
        dx1, _ = cell.backward(dhs1, cache1, dstate)
        return float(np.sum(hs1 * dhs1) + np.sum(hs2 * dhs2)), {"x1": dx1, "x2": dx2}

    assert_close(nn.check_gradients(loss_fn, dict(cell.named_parameters()), {"x1": x1, "x2": x2}))


def test_stacked_cells_with_linear_head():
    """LSTM -> GRU -> Linear -> softmax cross-entropy: the charlm stack, end to end."""
    rng = np.random.default_rng(0)
    N, T, D, H, V = 2, 3, 4, 5, 6
    lstm = nn.LSTM(D, H, dtype=F64, rng=1)
    gru = nn.GRU(H, H, dtype=F64, rng=2)
    head = nn.Linear(H, V, dtype=F64, rng=3)
    x, targets = rand(rng, N, T, D), rng.integers(0, V, (N, T))

    def loss_fn():
        h1, _, c1 = lstm.forward(x)
        h2, _, c2 = gru.forward(h1)
        logits, c3 = head.forward(h2)
        loss, dlogits = nn.softmax_cross_entropy(logits, targets)
        dx, _ = lstm.backward(gru.backward(head.backward(dlogits, c3), c2)[0], c1)
        return loss, {"x": dx}

    params = {f"{i}.{n}": p
              for i, m in enumerate([lstm, gru, head]) for n, p in m.named_parameters()}
    assert_close(nn.check_gradients(loss_fn, params, {"x": x}))


def test_checker_rejects_float32():
    layer = nn.Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match="float64"):
        nn.check_gradients(lambda: (0.0, {}), dict(layer.named_parameters()))


def test_checker_catches_a_wrong_gradient():
    """The checker can fail: a backward with a deliberate factor of 2 is reported."""
    x = np.array([1.0, 2.0])
    errors = nn.check_gradients(lambda: (float(np.sum(x**2)), {"x": 4 * x}), inputs={"x": x})
    assert errors["x"] > 0.1
