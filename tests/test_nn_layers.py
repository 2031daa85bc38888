"""Feed-forward layers: gradients, behaviour and bad arguments."""
import numpy as np
import pytest
from nn_checks import F64, assert_close, check_layer, rand

import nn


def test_linear_gradient():
    rng = np.random.default_rng(0)
    layer = nn.Linear(4, 3, dtype=F64, rng=1)
    layer.b.data[:] = rand(rng, 3)
    assert_close(check_layer(layer, rand(rng, 2, 5, 4), rng))


def test_linear_without_bias_gradient():
    rng = np.random.default_rng(0)
    assert_close(check_layer(nn.Linear(4, 3, bias=False, dtype=F64, rng=1), rand(rng, 6, 4), rng))


def test_embedding_gradient_with_repeated_ids():
    rng = np.random.default_rng(0)
    layer = nn.Embedding(7, 3, dtype=F64, rng=1)
    assert_close(check_layer(layer, np.array([[1, 4, 1], [6, 1, 0]]), rng))


def test_embedding_with_a_padding_mask_gives_zeros_and_no_gradient_there():
    rng = np.random.default_rng(0)
    layer = nn.Embedding(7, 3, dtype=F64, rng=1)
    ids = np.array([[1, 4, 1], [6, 1, 0]])
    mask = np.array([[True, False, True], [True, True, False]])
    assert_close(check_layer(layer, ids, rng, mask=mask))
    y, cache = layer.forward(ids, mask)
    assert not y[~mask].any()
    layer.W.grad.zero()
    layer.backward(np.ones_like(y), cache)
    assert layer.W.grad.to_dense()[[4, 0]].tolist() == [[0, 0, 0]] * 2   # padding only


def test_embedding_gradient_accumulates_over_batches_like_a_dense_scatter_add():
    rng = np.random.default_rng(0)
    emb = nn.Embedding(50, 4, rng=1)
    ids = rng.integers(0, 50, (8, 30))
    dy = rng.standard_normal((8, 30, 4)).astype(np.float32)
    for half in (slice(0, 4), slice(4, 8)):
        _, cache = emb.forward(ids[half])
        assert emb.backward(dy[half], cache) is None   # integer ids have no gradient
    dense = np.zeros((50, 4), np.float32)
    np.add.at(dense, ids, dy)
    np.testing.assert_allclose(emb.W.grad.to_dense(), dense, rtol=1e-5, atol=1e-5)
    rows, values = emb.W.grad.coalesce()
    assert np.all(np.diff(rows) > 0) and len(rows) == len(np.unique(ids))


def test_embedding_bag_gradient_with_repeated_ids_and_an_empty_bag():
    rng = np.random.default_rng(0)
    layer = nn.EmbeddingBag(7, 3, dtype=F64, rng=1)
    ids, offsets = np.array([1, 4, 1, 6, 6, 0]), np.array([0, 3, 3, 5])   # bag 1 is empty
    assert_close(check_layer(layer, ids, rng, offsets=offsets))


def test_weighted_embedding_bag_gradient():
    """Per-id weights (fastText's subword means): the weight gradient is not needed, the
    table's is checked."""
    rng = np.random.default_rng(0)
    layer = nn.EmbeddingBag(7, 3, dtype=F64, rng=1)
    ids, offsets = np.array([1, 4, 1, 6, 6, 0]), np.array([0, 3, 3, 5])
    weights = np.array([0.5, 0.25, 0.5, 1, 2, -1])
    assert_close(check_layer(layer, ids, rng, offsets=offsets, weights=weights))
    y, _ = layer.forward(ids, offsets, weights)
    W = layer.W.data
    np.testing.assert_allclose(y[0], W[1] + 0.25 * W[4])
    np.testing.assert_allclose(y[2], 3 * W[6])


def test_embedding_bag_sums_each_bag():
    layer = nn.EmbeddingBag(7, 3, rng=1)
    ids, offsets = np.array([1, 4, 1, 6, 6, 0]), np.array([0, 3, 3, 5])
    y, _ = layer.forward(ids, offsets)
    W = layer.W.data
    expected = [W[1] + W[4] + W[1], np.zeros(3), W[6] + W[6], W[0]]
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    for bad in (np.array([1, 3]), np.array([0, 4, 2]), np.array([0, 9])):
        with pytest.raises(ValueError, match="offsets"):
            layer.forward(ids, bad)


def test_embedding_refuses_a_mask_that_is_not_boolean():
    layer = nn.Embedding(4, 2, rng=0)
    with pytest.raises(TypeError, match="boolean"):
        layer.forward(np.array([1, 2]), np.array([1, 0]))


@pytest.mark.parametrize("rows", [
    np.array([[3, 0, 3], [5, 5, 1]]),   # per example, with repeats
    np.array([2, 4, 2, 0]),             # shared by the batch
    None,                               # every row: the exact softmax
], ids=["per-example", "shared", "all"])
@pytest.mark.parametrize("h_shape", [(2, 3), (2, 4, 3)], ids=["one input", "a window of 4"])
def test_output_embedding_gradient(rows, h_shape):
    rng = np.random.default_rng(0)
    layer = nn.OutputEmbedding(6, 3, dtype=F64, rng=1, scale=1.0)
    assert_close(check_layer(layer, rand(rng, *h_shape), rng, input_name="h", rows=rows))


def test_output_embedding_scores_are_row_dot_products():
    rng = np.random.default_rng(0)
    layer = nn.OutputEmbedding(6, 3, dtype=F64, rng=1, scale=1.0)
    h, W = rand(rng, 2, 3), layer.W.data
    per_example = np.array([[3, 0], [5, 5]])
    expected = [[W[r] @ h[n] for r in per_example[n]] for n in range(2)]
    np.testing.assert_allclose(layer.forward(h, per_example)[0], expected)
    np.testing.assert_allclose(layer.forward(h, np.array([1, 4]))[0], h @ W[[1, 4]].T)
    np.testing.assert_allclose(layer.forward(h)[0], h @ W.T)
    window = rand(rng, 2, 4, 3)   # 4 inputs per example share its rows
    expected = [[[W[r] @ window[n, m] for r in per_example[n]] for m in range(4)]
                for n in range(2)]
    np.testing.assert_allclose(layer.forward(window, per_example)[0], expected)
    with pytest.raises(ValueError, match="rows of shape"):
        layer.forward(h, np.zeros((3, 2), int))
    assert not nn.OutputEmbedding(4, 2).W.data.any()   # word2vec starts output rows at 0


@pytest.mark.parametrize("h_shape", [(2, 3), (2, 4, 3)], ids=["one input", "a window of 4"])
def test_output_embedding_writes_dh_into_a_slice_of_a_larger_array(h_shape):
    rng = np.random.default_rng(0)
    layer = nn.OutputEmbedding(6, 3, dtype=F64, rng=1, scale=1.0)
    rows, h = np.array([[3, 0, 3], [5, 5, 1]]), rand(rng, *h_shape)
    scores, cache = layer.forward(h, rows)
    ds = rand(rng, *scores.shape)
    expected = layer.backward(ds, cache)
    whole = np.zeros((5, *h_shape[1:]))
    layer.backward(ds, cache, out=whole[1:3])
    np.testing.assert_allclose(whole[1:3], expected)
    assert not whole[[0, 3, 4]].any()


def test_output_embedding_refuses_boolean_counts_for_a_window():
    """A bool mask would count each (example, row) once, not once per input: a loose cap."""
    layer = nn.OutputEmbedding(6, 3, dtype=F64, rng=1, scale=1.0)
    scores, cache = layer.forward(np.ones((2, 4, 3)), np.array([[3, 0], [5, 1]]))
    with pytest.raises(TypeError, match="ints"):
        layer.backward(np.zeros_like(scores), cache, counts=np.ones((2, 2), bool))


def test_dropout_gradient_with_a_fixed_mask():
    rng = np.random.default_rng(0)
    layer = nn.Dropout(0.5, rng=3)
    x = rand(rng, 4, 5)
    y, cache = layer.forward(x)
    dy = rand(rng, 4, 5)
    np.testing.assert_allclose(layer.backward(dy, cache), dy * (y / x))


def test_dropout_keeps_the_expected_value_and_is_the_identity_in_eval_mode():
    layer = nn.Dropout(0.3, rng=0)
    x = np.ones((1000, 100), np.float32)
    y, _ = layer.forward(x)
    assert np.mean(y == 0) == pytest.approx(0.3, abs=0.01)
    assert y.mean() == pytest.approx(1.0, abs=0.01)
    layer.eval()
    y, cache = layer.forward(x)
    assert y is x and layer.backward(x, cache) is x
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        nn.Dropout(1.0)


def test_dropout_masks_follow_the_seed():
    x = np.ones((3, 8), np.float32)
    a, b = nn.Dropout(0.5, rng=7), nn.Dropout(0.5, rng=7)
    np.testing.assert_array_equal(a.forward(x)[0], b.forward(x)[0])


def test_linear_shape_and_dtype_errors():
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


def test_embedding_id_errors():
    emb = nn.Embedding(5, 2, rng=0)
    with pytest.raises(TypeError, match="ids must hold integers"):
        emb.forward(np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 5\)"):
        emb.forward(np.array([0, 5]))
