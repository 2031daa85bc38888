"""Optimizers, schedules and clipping; the classic from-scratch sanity problems."""
import numpy as np
import pytest

import nn

F64 = np.float64


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


@pytest.mark.parametrize("sparse", [False, True])
def test_sgd_scales_each_rows_update_by_its_lr_scale(sparse):
    """gensim's lock factors: row 0 frozen, row 1 at half rate, the others as usual."""
    p = quadratic_param(sparse)
    p.lr_scale = np.array([0, 0.5, 1, 1])
    if sparse:
        p.grad.add([0, 1, 2, 1], -np.ones((4, 2)))
    else:
        p.grad -= np.array([[1.0, 1], [2, 2], [1, 1], [0, 0]])
    nn.SGD([p], lr=0.1, max_row_repeats=32 if sparse else None).step()
    np.testing.assert_allclose(p.data[:, 0], [0, 0.1, 0.1, 0])
    with pytest.raises(ValueError, match="lr_scale"):
        nn.Adam([p], lr=0.1).step()


def test_sparse_adam_leaves_untouched_rows_alone():
    p = quadratic_param(sparse=True)
    opt = nn.Adam([p], lr=0.1, weight_decay=0.1)
    p.data[3] = 7
    p.grad.add([0, 0], np.ones((2, 2)))
    opt.step()
    assert np.all(p.data[0] < 0) and np.all(p.data[1:3] == 0) and np.all(p.data[3] == 7)


def test_a_schedule_sets_the_rate_of_every_step():
    """SGD on f(w) = w moves w by exactly the scheduled rate at each step."""
    p = nn.Parameter(np.zeros(1))
    opt = nn.SGD([p], lr=nn.LinearDecay(0.4, total_steps=4, min_lr=0.05))
    rates = []
    for _ in range(6):
        rates.append(opt.lr)
        before = p.data[0]
        opt.zero_grad()
        p.grad += 1
        opt.step()
        assert before - p.data[0] == pytest.approx(rates[-1])
    assert rates == pytest.approx([0.4, 0.3, 0.2, 0.1, 0.05, 0.05])
    opt.lr = 0.5   # a number replaces the schedule
    assert opt.lr == 0.5


def test_optimizer_settings():
    with pytest.raises(ValueError, match="lr must be positive"):
        nn.SGD([], lr=0)
    with pytest.raises(ValueError, match="weight_decay"):
        nn.Adam([], lr=0.1, weight_decay=-1)
    with pytest.raises(TypeError, match="params must be"):
        nn.SGD([np.zeros(3)], lr=0.1)


def test_clip_grad_norm_dense_and_sparse():
    dense, sparse = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros((3, 1)), sparse=True)
    dense.grad[:] = [3, 0]
    sparse.grad.add([1, 1], [[2.0], [2.0]])  # one row, value 4 after summing
    assert nn.clip_grad_norm([dense, sparse], max_norm=1.0) == pytest.approx(5.0)
    assert dense.grad.tolist() == pytest.approx([0.6, 0])
    assert sparse.grad.to_dense().ravel().tolist() == pytest.approx([0, 0.8, 0])
    assert nn.clip_grad_norm([dense, sparse], max_norm=10.0) == pytest.approx(1.0)


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
    opt = nn.SGD(model, lr=0.1)
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
    opt = nn.SGD(model, lr=2.0, momentum=0.9, weight_decay=weight_decay)
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
        opt = make_optimizer(m)
        for _ in range(150):
            for batch in np.array_split(rng.permutation(len(x)), 10):
                train_step(m, opt, nn.softmax_cross_entropy, x[batch], y[batch])
    assert accuracy(linear, x, y) < 0.7  # the data really needs the hidden layer
    assert accuracy(model, x, y) > 0.95


def test_sgd_caps_by_the_examples_of_plain_and_counted_chunks_together():
    """Row 0: a plain entry (1 example) and an entry of 5: 6 > 3, so it takes half its sum."""
    p = nn.Parameter(np.zeros((2, 1), np.float32), sparse=True)
    p.grad.add([0], [[1.0]])
    p.grad.add([0, 1], [[5.0], [1.0]], counts=[5, 1])
    nn.SGD({"p": p}, lr=1.0, max_row_repeats=3).step()
    np.testing.assert_allclose(p.data, [[-3.0], [-1.0]], rtol=1e-6)


@pytest.mark.parametrize("kwargs", [dict(momentum=0.9), dict(weight_decay=1e-3)])
def test_sgd_refuses_a_row_cap_it_could_not_apply(kwargs):
    p = nn.Parameter(np.zeros((2, 1), np.float32), sparse=True)
    with pytest.raises(ValueError, match="max_row_repeats.*momentum or weight_decay"):
        nn.SGD([p], lr=1.0, max_row_repeats=3, **kwargs)
    nn.SGD([p], lr=1.0, **kwargs)


def test_output_embedding_counts_the_inputs_behind_each_gradient_entry():
    layer = nn.OutputEmbedding(5, 2, scale=0.1, rng=0)
    h = np.ones((2, 3, 2), np.float32)                   # 2 examples of 3 inputs
    scores, cache = layer.forward(h, np.array([[0, 1], [1, 4]]))
    counted = np.array([[[1, 1], [1, 0], [0, 0]], [[1, 1], [1, 1], [1, 1]]], bool)
    layer.backward(np.ones_like(scores) * counted, cache, counts=counted.sum(axis=1))
    e = layer.W.grad.entries()
    assert sorted(zip(e.rows.tolist(), e.counts.tolist())) == [(0, 2), (1, 1), (1, 3), (4, 3)]


@pytest.mark.parametrize("inputs", [3, None], ids=["skip-gram window", "CBOW bag"])
def test_output_embedding_leaves_out_what_no_input_feeds_and_keeps_the_gradient(inputs):
    """Huffman-path padding (masked, so its gradient is 0) gets no entry, so it cannot count
    towards row 0's cap of updates per step; the gradient is the plain sum over the path."""
    rng = np.random.default_rng(0)
    rows = np.array([[1, 2, 0], [3, 0, 0]])                # paths padded with row 0
    path = np.array([[1, 1, 0], [1, 0, 0]], bool)
    h = rng.standard_normal((2, inputs, 2) if inputs else (2, 2))   # inputs sharing a path
    layer = nn.OutputEmbedding(4, 2, scale=0.1, rng=0, dtype=np.float64)
    scores, cache = layer.forward(h, rows)
    counted = np.broadcast_to(path[:, None, :], scores.shape) if inputs else path
    ds = rng.standard_normal(scores.shape) * counted
    layer.backward(ds, cache, counts=path * (inputs or 1))
    assert 0 not in layer.W.grad.entries().rows
    expected = np.zeros((4, 2))
    for n, k in zip(*np.nonzero(path)):
        expected[rows[n, k]] += ds[n, :, k] @ h[n] if inputs else ds[n, k] * h[n]
    np.testing.assert_allclose(layer.W.grad.to_dense(), expected)


@pytest.mark.parametrize("make", [lambda p: nn.SGD(p, lr=0.1, max_row_repeats=2),
                                  lambda p: nn.SGD(p, lr=0.1, momentum=0.9),
                                  lambda p: nn.Adam(p, lr=0.1), lambda p: nn.Adagrad(p, lr=0.1)])
def test_clipping_and_optimizers_leave_the_arrays_a_sparse_gradient_keeps_alone(make):
    """Embedding layers hand dy and h to their gradient without copying them: the update
    must only read them (the model may still use them)."""
    rng = np.random.default_rng(0)
    embed, out = nn.Embedding(5, 3, rng=0), nn.OutputEmbedding(5, 3, scale=0.1, rng=1)
    h, cache = out.forward(rng.standard_normal((4, 3)).astype(np.float32),
                           np.array([[0, 1], [1, 1], [2, 0], [4, 4]]))
    dy = rng.standard_normal((4, 3)).astype(np.float32)
    ids = np.array([0, 0, 3, 1])
    _, ecache = embed.forward(ids)
    embed.backward(dy, ecache)
    out.backward(np.ones_like(h) * 50, cache)
    kept = [a.copy() for a in (dy, cache.h, ids)]
    params = {"embed": embed.W, "out": out.W}
    nn.clip_grad_norm(list(params.values()), 0.5)
    make(params).step()
    for before, after in zip(kept, (dy, cache.h, ids)):
        np.testing.assert_array_equal(before, after)
