"""Parameter discovery, save/load and optimizer state."""
import numpy as np
import pytest

import nn


class Stack(nn.Module):
    def __init__(self):
        self.embed = nn.Embedding(10, 4, rng=0)
        self.cells = [nn.LSTM(4, 5, rng=1), nn.GRU(5, 5, rng=2)]
        self.head = nn.Linear(5, 10, rng=3)


def test_named_parameters_walk_attributes_and_lists():
    names = [n for n, _ in Stack().named_parameters()]
    assert names == ["embed.W", "cells.0.Wx", "cells.0.Wh", "cells.0.b",
                     "cells.1.Wx", "cells.1.Wh", "cells.1.b", "cells.1.bn", "head.W", "head.b"]


def test_save_load_round_trip_is_exact(tmp_path):
    a, b = Stack(), Stack()
    for p in a.parameters():
        p.data[...] = np.random.default_rng(5).standard_normal(p.data.shape)
    a.save(tmp_path / "m.npz")
    b.load(tmp_path / "m.npz")
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert np.array_equal(p.data, q.data), name
        assert q.data.dtype == np.float32
    assert [f.name for f in tmp_path.iterdir()] == ["m.npz"]  # no temporary left behind


def test_load_rejects_a_different_architecture(tmp_path):
    nn.Linear(3, 4, rng=0).save(tmp_path / "lin.npz")
    with pytest.raises(ValueError, match="shape"):
        nn.Linear(3, 5, rng=0).load(tmp_path / "lin.npz")
    with pytest.raises(ValueError, match="missing"):
        nn.GRU(3, 4, rng=0).load(tmp_path / "lin.npz")


def test_interrupted_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    nn.Linear(2, 2, rng=0).save(path)
    before = path.read_bytes()

    def interrupted(f, **arrays):
        f.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.Linear(2, 2, rng=1).save(path)
    assert path.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["m.npz"]


def quadratic_param(sparse=False):
    """f(W) = |W - 3|^2 / 2 for a 4 x 2 table, gradient W - 3."""
    return nn.Parameter(np.zeros((4, 2)), sparse=sparse)


@pytest.mark.parametrize("Optimizer,kwargs", [
    (nn.SGD, dict(lr=0.1)), (nn.SGD, dict(lr=0.1, momentum=0.9)),
    (nn.Adagrad, dict(lr=0.5)), (nn.Adam, dict(lr=0.1)),
])
def test_optimizers_minimise_a_quadratic(Optimizer, kwargs):
    p = quadratic_param()
    opt = Optimizer([p], **kwargs)
    for _ in range(500):
        opt.zero_grad()
        p.grad += p.data - 3
        opt.step()
    np.testing.assert_allclose(p.data, 3, atol=1e-2)


@pytest.mark.parametrize("Optimizer", [nn.SGD, nn.Adagrad])
def test_sparse_update_equals_dense_update(Optimizer):
    """For SGD and Adagrad the row-wise update of a sparse gradient is exact."""
    dense, sparse = quadratic_param(), quadratic_param(sparse=True)
    opts = Optimizer([dense], lr=0.1), Optimizer([sparse], lr=0.1)
    rng = np.random.default_rng(0)
    for _ in range(20):
        rows = rng.integers(0, 4, 3)
        g = rng.standard_normal((3, 2))
        for opt in opts:
            opt.zero_grad()
        np.add.at(dense.grad, rows, g)
        sparse.grad.add(rows, g)
        for opt in opts:
            opt.step()
    np.testing.assert_allclose(sparse.data, dense.data, atol=1e-12)


def test_sparse_adam_leaves_untouched_rows_alone():
    p = quadratic_param(sparse=True)
    opt = nn.Adam([p], lr=0.1, weight_decay=0.1)
    p.data[3] = 7
    p.grad.add([0, 0], np.ones((2, 2)))
    opt.step()
    assert np.all(p.data[0] < 0) and np.all(p.data[1:3] == 0) and np.all(p.data[3] == 7)


def test_optimizer_state_round_trip():
    p, q = quadratic_param(), quadratic_param()
    a, b = nn.Adam([p], lr=0.1), nn.Adam([q], lr=0.1)
    for _ in range(3):
        for param, opt in ((p, a), (q, b)):
            opt.zero_grad()
            param.grad += param.data - 3
            opt.step()
    fresh = nn.Adam([p], lr=0.1)
    fresh.load_state_dict(a.state_dict())
    for opt, param in ((fresh, p), (b, q)):
        opt.zero_grad()
        param.grad += param.data - 3
        opt.step()
    np.testing.assert_array_equal(p.data, q.data)


def test_clip_grad_norm_dense_and_sparse():
    dense, sparse = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros((3, 1)), sparse=True)
    dense.grad[:] = [3, 0]
    sparse.grad.add([1, 1], [[2.0], [2.0]])  # one row, value 4 after summing
    assert nn.clip_grad_norm([dense, sparse], max_norm=1.0) == pytest.approx(5.0)
    assert dense.grad.tolist() == pytest.approx([0.6, 0])
    assert sparse.grad.to_dense().ravel().tolist() == pytest.approx([0, 0.8, 0])
    assert nn.clip_grad_norm([dense, sparse], max_norm=10.0) == pytest.approx(1.0)


def test_schedules():
    assert nn.Constant(0.1)(10**6) == 0.1
    decay = nn.LinearDecay(0.025, total_steps=100, min_lr=0.0001)
    assert decay(0) == 0.025 and decay(50) == pytest.approx(0.0125) and decay(1000) == 0.0001
