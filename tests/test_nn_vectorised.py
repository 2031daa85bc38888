"""Batched code equals the plain loop it replaces."""
import numpy as np
import pytest

import nn

CELLS = [nn.RNN, nn.LSTM, nn.GRU]


@pytest.mark.parametrize("Cell", CELLS)
def test_sequence_equals_chain_of_single_steps(Cell):
    """forward/backward over T steps == T windows of length 1 chained through the state."""
    rng = np.random.default_rng(0)
    N, T, D, H = 3, 5, 4, 6
    x, dhs = rng.standard_normal((N, T, D)), rng.standard_normal((N, T, H))
    batched, looped = Cell(D, H, dtype=np.float64, rng=1), Cell(D, H, dtype=np.float64, rng=1)

    hs, final, cache = batched.forward(x)
    dx, dstate0 = batched.backward(dhs, cache)

    state, caches, h_steps = None, [], []
    for t in range(T):
        h, state, c = looped.forward(x[:, t:t + 1], state)
        h_steps.append(h)
        caches.append(c)
    dstate, dx_steps = None, []
    for t in reversed(range(T)):
        d, dstate = looped.backward(dhs[:, t:t + 1], caches[t], dstate)
        dx_steps.append(d)

    np.testing.assert_allclose(np.concatenate(h_steps, axis=1), hs, atol=1e-12)
    np.testing.assert_allclose(np.concatenate(dx_steps[::-1], axis=1), dx, atol=1e-12)
    for a, b in [*zip(state, final), *zip(dstate, dstate0)]:
        np.testing.assert_allclose(a, b, atol=1e-12)
    for (name, p), q in zip(batched.named_parameters(), looped.parameters()):
        np.testing.assert_allclose(p.grad, q.grad, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("Cell", CELLS)
def test_step_equals_forward(Cell):
    """The cache-free `step` used for sampling computes what `forward` computes."""
    rng = np.random.default_rng(0)
    cell = Cell(3, 4, rng=1)
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    hs, final, _ = cell.forward(x)
    state = cell.zero_state(2)
    for t in range(6):
        h, state = cell.step(x[:, t], state)
        np.testing.assert_allclose(h, hs[:, t], rtol=1e-5, atol=1e-6)
    for a, b in zip(state, final):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_embedding_gradient_equals_dense_scatter_add():
    rng = np.random.default_rng(0)
    emb = nn.Embedding(50, 4, rng=1)
    ids = rng.integers(0, 50, (8, 30))
    dy = rng.standard_normal((8, 30, 4)).astype(np.float32)
    _, cache = emb.forward(ids)
    emb.backward(dy[:4], cache._replace(ids=ids[:4]))
    emb.backward(dy[4:], cache._replace(ids=ids[4:]))
    dense = np.zeros((50, 4), np.float32)
    np.add.at(dense, ids, dy)
    np.testing.assert_allclose(emb.W.grad.to_dense(), dense, rtol=1e-5, atol=1e-5)
    rows, values = emb.W.grad.coalesce()
    assert np.all(np.diff(rows) > 0) and len(rows) == len(np.unique(ids))
    np.testing.assert_allclose(values, dense[rows], rtol=1e-5, atol=1e-5)


def test_sparse_grad_zero_and_empty():
    g = nn.SparseGrad((5, 2), np.float32)
    rows, values = g.coalesce()
    assert rows.shape == (0,) and values.shape == (0, 2)
    g.add([1, 1], np.ones((2, 2)))
    assert g.to_dense()[1].tolist() == [2, 2]
    g.zero()
    assert not g.to_dense().any()
