"""Sparse gradients and the scatter that applies them: against dense sums, with repeated
rows, shared weighted values, the per-row cap, and the NumPy fallback of SciPy's kernels."""
import subprocess
import sys

import numpy as np
import pytest
from nn_checks import rand

import nn
from nn import sparse


def test_sparse_gradient_of_a_sparse_product_equals_its_dense_sum():
    """Entries (rows, cols, weights) over a block of values, mixed with plain chunks."""
    rng = np.random.default_rng(0)
    g = nn.SparseGrad((6, 2), np.float64)
    dense = np.zeros((6, 2))
    values = rand(rng, 3, 2)
    rows, cols, weights = np.array([5, 0, 5, 2]), np.array([2, 0, 2, 1]), rand(rng, 4)
    g.add(rows, values, cols=cols, weights=weights)
    np.add.at(dense, rows, weights[:, None] * values[cols])
    plain = rand(rng, 2, 2)
    g.add([0, 3], plain)
    dense[[0, 3]] += plain
    table = np.zeros((6, 2))
    e = g.entries()
    nn.scatter_add(table, e.rows, e.values, -2.0, cols=e.cols, weights=e.weights)
    np.testing.assert_allclose(table, -2 * dense, atol=1e-12)
    np.testing.assert_allclose(g.to_dense(), dense, atol=1e-12)


def test_sparse_gradient_refuses_mismatched_parts_and_takes_empty_ones():
    g = nn.SparseGrad((4, 2), np.float32)
    with pytest.raises(ValueError, match="rows for"):
        g.add([0, 1, 2], np.ones((2, 2)))
    with pytest.raises(ValueError, match="cols must index"):
        g.add([0, 1], np.ones((2, 2)), cols=[0, 2])
    g.add(np.empty(0, int), np.empty((0, 2)))              # an all-padding step
    assert g.coalesce()[0].shape == (0,)
    table = np.ones((4, 2), np.float32)
    e = g.entries()
    nn.scatter_add(table, e.rows, e.values, -1.0, 2, e.cols, e.weights, e.counts)
    assert (table == 1).all()


def test_sparse_gradient_copies_what_it_is_given():
    """A caller reusing its buffer after backward must not change the recorded gradient."""
    g = nn.SparseGrad((5, 2), np.float32)
    rows, values = np.array([1, 3]), np.ones((2, 2), np.float32)
    g.add(rows, values)
    rows[:], values[:] = 0, 7
    assert g.to_dense()[[1, 3]].tolist() == [[1, 1], [1, 1]]
    g.zero()
    assert g.coalesce()[0].shape == (0,) and not g.to_dense().any()


def test_scatter_add_equals_a_dense_scatter_with_repeats():
    rng = np.random.default_rng(0)
    table = rng.standard_normal((50, 3, 2)).astype(np.float32)
    rows = rng.integers(0, 50, 400)
    values = rng.standard_normal((400, 3, 2)).astype(np.float32)
    expected = table.copy()
    np.add.at(expected, rows, -0.5 * values)
    nn.scatter_add(table, rows, values, -0.5)
    np.testing.assert_allclose(table, expected, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="C-contiguous"):
        nn.scatter_add(table[:, :, 0], rows, values[:, :, 0])


@pytest.mark.parametrize("sorted_cols", [True, False])
def test_scatter_add_of_shared_weighted_values(sorted_cols):
    """Entries that share value rows (cols), in column order as layers give them or not."""
    rng = np.random.default_rng(1)
    table = rng.standard_normal((30, 4)).astype(np.float32)
    rows, cols = rng.integers(0, 30, 500), rng.integers(0, 60, 500)
    if sorted_cols:
        cols.sort()
    weights = rng.standard_normal(500).astype(np.float32)
    values = rng.standard_normal((60, 4)).astype(np.float32)
    expected = table.copy()
    np.add.at(expected, rows, 2.0 * weights[:, None] * values[cols])
    nn.scatter_add(table, rows, values, 2.0, cols=cols, weights=weights)
    np.testing.assert_allclose(table, expected, rtol=1e-5, atol=1e-5)


def test_scatter_add_caps_a_row_that_repeats_too_often():
    table = np.zeros((3, 2), np.float32)
    rows = np.array([0] * 10 + [1] * 2)
    nn.scatter_add(table, rows, np.ones((12, 2), np.float32), max_repeats=4)
    np.testing.assert_allclose(table, [[4, 4], [2, 2], [0, 0]], rtol=1e-6)


def test_the_cap_counts_the_examples_an_entry_sums():
    """Row 1's two entries sum 3 examples each: 6 > 4, so they take 4/6 of their sum;
    row 2's one entry of 2 examples is under the cap."""
    table = np.zeros((3, 1), np.float32)
    nn.scatter_add(table, np.array([1, 1, 2]), np.array([[3.0], [3.0], [2.0]], np.float32),
                   max_repeats=4, counts=np.array([3, 3, 2]))
    np.testing.assert_allclose(table, [[0], [4], [2]], rtol=1e-6)


scipy_kernels = pytest.mark.skipif(sparse.csc_matvecs is sparse.csc_matvecs_numpy,
                                   reason="SciPy's private kernels are gone: only the fallback")


@scipy_kernels
@pytest.mark.parametrize("kernel", ["csc_matvecs", "csr_matvecs"])
def test_numpy_fallback_of_a_kernel_gives_its_sums(kernel):
    """y += A x for A of 40 entries, many in the same rows and columns."""
    rng = np.random.default_rng(0)
    csc = kernel == "csc_matvecs"
    n_row, n_col, k = 7, 5, 3
    n_major, n_minor = (n_col, n_row) if csc else (n_row, n_col)
    major = np.sort(rng.integers(0, n_major, 40))
    indptr = np.r_[0, np.cumsum(np.bincount(major, minlength=n_major))]
    minor = rng.integers(0, n_minor, 40)
    weights, x = rand(rng, 40), rand(rng, n_col, k)
    y0 = rand(rng, n_row, k)
    y_kernel, y_numpy = y0.ravel().copy(), y0.ravel().copy()
    getattr(sparse, kernel)(n_row, n_col, k, indptr, minor, weights, x.ravel(), y_kernel)
    getattr(sparse, kernel + "_numpy")(n_row, n_col, k, indptr, minor, weights, x.ravel(),
                                       y_numpy)
    assert not np.allclose(y_kernel, y0.ravel())
    np.testing.assert_allclose(y_numpy, y_kernel, rtol=1e-12, atol=1e-12)


@scipy_kernels
def test_scatter_add_through_the_fallback_equals_scatter_add_through_scipy(monkeypatch):
    """Repeated rows, shared weighted values in no column order, counts and a cap."""
    rng = np.random.default_rng(2)
    table = rng.standard_normal((20, 3)).astype(np.float32)
    rows, cols = rng.integers(0, 6, 300), rng.integers(0, 40, 300)
    values = rng.standard_normal((40, 3)).astype(np.float32)
    weights, counts = rng.standard_normal(300), rng.integers(0, 4, 300)
    args = rows, values, -0.1, 8, cols, weights, counts
    by_scipy, by_numpy = table.copy(), table.copy()
    nn.scatter_add(by_scipy, *args)
    monkeypatch.setattr(sparse, "csc_matvecs", sparse.csc_matvecs_numpy)
    nn.scatter_add(by_numpy, *args)
    assert not np.allclose(by_scipy, table)
    np.testing.assert_allclose(by_numpy, by_scipy, rtol=1e-5, atol=1e-6)


def test_nn_runs_on_the_fallback_when_scipy_moves_its_kernels():
    code = """if True:
        import sys
        import numpy as np
        import scipy.sparse
        sys.modules["scipy.sparse._sparsetools"] = None   # importing it raises ImportError
        import nn
        assert nn.sparse.csc_matvecs is nn.sparse.csc_matvecs_numpy
        table = np.zeros((3, 1), np.float32)
        nn.scatter_add(table, np.array([2, 0, 2]), np.ones((3, 1), np.float32))
        bag = nn.EmbeddingBag(4, 2, rng=0)
        y, _ = bag.forward(np.array([1, 3, 3]), np.array([0, 1]))
        assert table.ravel().tolist() == [1, 0, 2]
        assert np.allclose(y, [bag.W.data[1], 2 * bag.W.data[3]])
    """
    subprocess.run([sys.executable, "-c", code], check=True)
