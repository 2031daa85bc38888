"""Recurrent cells: gradients, an independent per-example reference written from the
equations, chained windows, sampling steps, PyTorch weights, bad arguments."""
import numpy as np
import pytest
from nn_checks import F64, assert_close, rand

import nn

CELLS = [nn.RNN, nn.LSTM, nn.GRU]


def randomise(cell, rng):
    """Non-zero biases, so that every bias path is exercised."""
    for _, p in cell.named_parameters():
        p.data += 0.1 * rand(rng, *p.data.shape)


@pytest.mark.parametrize("Cell", CELLS)
def test_gradients_of_a_sequence_from_a_given_state(Cell):
    """With respect to x, the weights, and the initial state."""
    rng = np.random.default_rng(0)
    T, N, D, H = 4, 2, 3, 5
    cell = Cell(D, H, dtype=F64, rng=1)
    randomise(cell, rng)
    x = rand(rng, T, N, D)
    state0 = tuple(rand(rng, N, H) for _ in cell.state_names)
    dhs = rand(rng, T, N, H)
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
def test_gradients_through_two_windows_with_carried_state(Cell):
    """Truncated BPTT's building block: the final state of window 1 starts window 2, and
    backward through window 2 hands its state gradient to window 1."""
    rng = np.random.default_rng(0)
    T, N, D, H = 3, 2, 3, 4
    cell = Cell(D, H, dtype=F64, rng=1)
    randomise(cell, rng)
    x1, x2 = rand(rng, T, N, D), rand(rng, T, N, D)
    dhs1, dhs2 = rand(rng, T, N, H), rand(rng, T, N, H)

    def loss_fn():
        hs1, state, cache1 = cell.forward(x1)
        hs2, _, cache2 = cell.forward(x2, state)
        dx2, dstate = cell.backward(dhs2, cache2)
        dx1, _ = cell.backward(dhs1, cache1, dstate)
        return float(np.sum(hs1 * dhs1) + np.sum(hs2 * dhs2)), {"x1": dx1, "x2": dx2}

    assert_close(nn.check_gradients(loss_fn, dict(cell.named_parameters()), {"x1": x1, "x2": x2}))


def sigma(a):
    return 1 / (1 + np.exp(-a))


def naive_rnn(p, x, h):
    return np.tanh(x @ p["Wx"] + h @ p["Wh"] + p["b"]), None


def naive_lstm(p, x, h, c):
    """PyTorch's nn.LSTM equations, gate by gate: i, f, g, o."""
    H = h.size
    W_i, W_f, W_g, W_o = (p["Wx"][:, k * H:(k + 1) * H] for k in range(4))
    U_i, U_f, U_g, U_o = (p["Wh"][:, k * H:(k + 1) * H] for k in range(4))
    b_i, b_f, b_g, b_o = (p["b"][k * H:(k + 1) * H] for k in range(4))
    i = sigma(x @ W_i + h @ U_i + b_i)
    f = sigma(x @ W_f + h @ U_f + b_f)
    g = np.tanh(x @ W_g + h @ U_g + b_g)
    o = sigma(x @ W_o + h @ U_o + b_o)
    c = f * c + i * g
    return o * np.tanh(c), c


def naive_gru(p, x, h):
    """PyTorch's nn.GRU equations: r, z, n, with b_hn inside the reset product."""
    H = h.size
    W_r, W_z, W_n = (p["Wx"][:, k * H:(k + 1) * H] for k in range(3))
    U_r, U_z, U_n = (p["Wh"][:, k * H:(k + 1) * H] for k in range(3))
    b_r, b_z, b_n = (p["b"][k * H:(k + 1) * H] for k in range(3))
    r = sigma(x @ W_r + h @ U_r + b_r)
    z = sigma(x @ W_z + h @ U_z + b_z)
    n = np.tanh(x @ W_n + b_n + r * (h @ U_n + p["b_hn"]))
    return (1 - z) * n + z * h, None


NAIVE = {nn.RNN: naive_rnn, nn.LSTM: naive_lstm, nn.GRU: naive_gru}


@pytest.mark.parametrize("Cell", CELLS)
def test_forward_equals_a_per_example_loop_written_from_the_equations(Cell):
    rng = np.random.default_rng(0)
    T, N, D, H = 5, 3, 4, 6
    cell = Cell(D, H, dtype=F64, rng=1)
    randomise(cell, rng)
    params = {name: p.data for name, p in cell.named_parameters()}
    x = rand(rng, T, N, D)
    state0 = tuple(rand(rng, N, H) for _ in cell.state_names)
    hs, final, _ = cell.forward(x, state0)
    for n in range(N):
        h, c = state0[0][n], state0[1][n] if Cell is nn.LSTM else None
        for t in range(T):
            h, c = NAIVE[Cell](params, x[t, n], h, *([c] if Cell is nn.LSTM else []))
            np.testing.assert_allclose(hs[t, n], h, atol=1e-12)
        np.testing.assert_allclose(final[0][n], h, atol=1e-12)
        if Cell is nn.LSTM:
            np.testing.assert_allclose(final[1][n], c, atol=1e-12)


@pytest.mark.parametrize("Cell", CELLS)
def test_sequence_equals_chain_of_single_steps(Cell):
    """forward/backward over T steps == T windows of length 1 chained through the state."""
    rng = np.random.default_rng(0)
    T, N, D, H = 5, 3, 4, 6
    x, dhs = rng.standard_normal((T, N, D)), rng.standard_normal((T, N, H))
    batched, looped = Cell(D, H, dtype=F64, rng=1), Cell(D, H, dtype=F64, rng=1)

    hs, final, cache = batched.forward(x)
    dx, dstate0 = batched.backward(dhs, cache)

    state, caches, h_steps = None, [], []
    for t in range(T):
        h, state, c = looped.forward(x[t:t + 1], state)
        h_steps.append(h)
        caches.append(c)
    dstate, dx_steps = None, []
    for t in reversed(range(T)):
        d, dstate = looped.backward(dhs[t:t + 1], caches[t], dstate)
        dx_steps.append(d)

    np.testing.assert_allclose(np.concatenate(h_steps), hs, atol=1e-12)
    np.testing.assert_allclose(np.concatenate(dx_steps[::-1]), dx, atol=1e-12)
    for a, b in [*zip(state, final), *zip(dstate, dstate0)]:
        np.testing.assert_allclose(a, b, atol=1e-12)
    for (name, p), q in zip(batched.named_parameters(), looped.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("Cell", CELLS)
def test_step_equals_forward(Cell):
    """The cache-free `step` used for sampling computes what `forward` computes."""
    rng = np.random.default_rng(0)
    cell = Cell(3, 4, rng=1)
    x = rng.standard_normal((6, 2, 3)).astype(np.float32)
    hs, final, _ = cell.forward(x)
    state = cell.zero_state(2)
    for t in range(6):
        h, state = cell.step(x[t], state)
        np.testing.assert_allclose(h, hs[t], rtol=1e-5, atol=1e-6)
    for a, b in zip(state, final):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("Cell", CELLS)
def test_zeroing_the_returned_state_in_place_leaves_the_gradient_alone(Cell):
    """At a document boundary a trainer zeroes rows of the carried state; the window that
    produced it must keep its gradient."""
    rng = np.random.default_rng(0)
    cell = Cell(3, 4, dtype=F64, rng=1)
    x, dhs = rand(rng, 5, 2, 3), rand(rng, 5, 2, 4)
    _, state, cache = cell.forward(x)
    expected, _ = cell.backward(dhs, cache)
    _, state, cache = cell.forward(x)
    for s in state:
        s[0] = 0
    dx, _ = cell.backward(dhs, cache)
    np.testing.assert_array_equal(dx, expected)


CACHE_FLOATS = {   # the formula each cell's docstring states, and its value
    nn.RNN: ("T·N·(D + 2H) + N·H", lambda T, N, D, H: T * N * (D + 2 * H) + N * H),
    nn.LSTM: ("T·N·(D + 7H) + N·H", lambda T, N, D, H: T * N * (D + 7 * H) + N * H),
    nn.GRU: ("T·N·(D + 5H) + N·H", lambda T, N, D, H: T * N * (D + 5 * H) + N * H),
}


def arrays_in(cache):
    if isinstance(cache, np.ndarray):
        yield cache
    elif isinstance(cache, (tuple, list)):
        for item in cache:
            yield from arrays_in(item)


def owner(a):
    """The array whose memory `a` is: a view keeps its whole base alive."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


@pytest.mark.parametrize("Cell", CELLS)
def test_the_cache_holds_as_many_floats_as_the_docstring_says(Cell):
    formula, floats = CACHE_FLOATS[Cell]
    assert f"Cache for backward: {formula} floats" in Cell.__doc__
    T, N, D, H = 3, 2, 5, 7
    _, _, cache = Cell(D, H, rng=0).forward(np.ones((T, N, D), np.float32))
    kept = {id(a): a for a in map(owner, arrays_in(cache))}
    assert sum(a.nbytes for a in kept.values()) == 4 * floats(T, N, D, H)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_pytorch_weights_give_pytorch_outputs(name):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(3, 5, num_layers=2)       # time first, as ours
    for p in theirs.parameters():   # non-zero biases on every path
        torch.nn.init.uniform_(p, -0.5, 0.5)
    x = np.random.default_rng(0).standard_normal((7, 2, 3))
    expected, _ = theirs.double()(torch.from_numpy(x))
    ours = nn.Stack([getattr(nn, name)(3, 5, dtype=F64), getattr(nn, name)(5, 5, dtype=F64)])
    ours.load_torch({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    np.testing.assert_allclose(ours.forward(x)[0], expected.detach().numpy(), atol=1e-12)


def test_recurrent_arguments():
    lstm = nn.LSTM(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"x must have shape \(T, N, 3\)"):
        lstm.forward(np.zeros((2, 3), np.float32))
    with pytest.raises(TypeError, match=r"state must be a tuple \(h, c\)"):
        lstm.forward(np.zeros((5, 2, 3), np.float32), np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"state.c must have shape \(2, 4\)"):
        h, bad_c = np.zeros((2, 4), np.float32), np.zeros((3, 4), np.float32)
        lstm.forward(np.zeros((5, 2, 3), np.float32), (h, bad_c))
    _, _, cache = lstm.forward(np.zeros((5, 2, 3), np.float32))
    with pytest.raises(ValueError, match="dhs must have shape"):
        lstm.backward(np.zeros((4, 2, 4), np.float32), cache)
    with pytest.raises(ValueError, match=r"weight_ih has shape \(4, 3\), expected \(16, 3\)"):
        lstm.load_torch(np.zeros((4, 3)), np.zeros((16, 4)), np.zeros(16), np.zeros(16))
