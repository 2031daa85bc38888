"""Sparse gradients: a table of which a step uses a few rows keeps its gradient as entries for
those rows (`SparseGrad`), and an update scatters them into the table (`scatter_add`), so a
step costs what it touches, not the table's size."""
from typing import NamedTuple

import numpy as np


def coo_matvecs(rows, cols, weights, x, y):
    """y[rows[j]] += weights[j] * x[cols[j]] for every j, in place: y += A x for the sparse
    matrix A of entries (rows, cols, weights). x: (n, k)  y: (m, k)."""
    np.add.at(y, rows, weights[:, None] * x[cols])


def csc_matvecs_numpy(n_row, n_col, n_vecs, indptr, rows, weights, x, y):
    """SciPy's private `csc_matvecs` in NumPy, argument for argument: y += A x, A (n_row,
    n_col) in CSC form, x and y flat C-order (n_col, n_vecs) and (n_row, n_vecs) arrays."""
    cols = np.repeat(np.arange(n_col), np.diff(indptr))
    coo_matvecs(rows, cols, weights, x.reshape(n_col, n_vecs), y.reshape(n_row, n_vecs))


def csr_matvecs_numpy(n_row, n_col, n_vecs, indptr, cols, weights, x, y):
    """SciPy's private `csr_matvecs` in NumPy: y += A x, A (n_row, n_col) in CSR form."""
    rows = np.repeat(np.arange(n_row), np.diff(indptr))
    coo_matvecs(rows, cols, weights, x.reshape(n_col, n_vecs), y.reshape(n_row, n_vecs))


try:   # SciPy's C++ kernels accumulate into y without building a matrix; private, so may move
    from scipy.sparse._sparsetools import csc_matvecs, csr_matvecs
except ImportError:
    csc_matvecs, csr_matvecs = csc_matvecs_numpy, csr_matvecs_numpy


class Entries(NamedTuple):
    """A sparse product: entry j adds weights[j] * values[cols[j]] to row rows[j], and is the
    sum of counts[j] examples' updates (for optimizers that cap a row's updates per step)."""

    rows: np.ndarray      # (n,) int64
    cols: np.ndarray      # (n,) int64
    weights: np.ndarray   # (n,) the table's dtype
    values: np.ndarray    # (m, *row shape)
    counts: np.ndarray | None   # (n,) int64; None: one example each


class SparseGrad:
    """Gradient of a table of which only some rows are used, kept as chunks of `Entries`
    (plain chunks: cols = 0..n-1, weights 1, counts 1). A row of values can so feed many rows
    of the table without being copied to each: a CBOW centre's gradient to every word of its
    context.

    Touching k rows of a V x d table costs O(k d), not O(V d). Chunks accumulate as backward
    passes arrive; `coalesce` sums duplicate rows once, when the optimizer needs them.
    """

    def __init__(self, shape, dtype):
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)
        self.zero()

    def zero(self):
        self._chunks, self._coalesced = [], True

    def add(self, rows, values, copy=True, *, cols=None, weights=None, counts=None):
        """Accumulate `values[i]` into row `rows[i]`; repeated rows add up. With `cols`
        (and optional `weights`), accumulate `weights[j] * values[cols[j]]` into `rows[j]`.
        counts: how many examples' updates each entry sums (default 1). Arrays are copied,
        so the caller may reuse its buffers, unless `copy` is false (a layer handing over
        arrays it has just computed)."""
        as_array = np.array if copy else np.asarray
        rows = as_array(rows, dtype=np.int64).ravel()
        values = as_array(values, dtype=self.dtype).reshape(-1, *self.shape[1:])
        if cols is None:
            if len(values) != len(rows):
                raise ValueError(f"{len(rows)} rows for {len(values)} values")
            cols = np.arange(len(rows))
        else:
            cols = as_array(cols, dtype=np.int64).ravel()
            if len(cols) and not 0 <= cols.min() <= cols.max() < len(values):
                raise ValueError(f"cols must index the {len(values)} values")
        weights = np.ones(len(rows), self.dtype) if weights is None else \
            as_array(weights, dtype=self.dtype).ravel()
        if counts is not None:
            counts = as_array(counts, dtype=np.int64).ravel()
        if not len(rows) == len(cols) == len(weights) == len(rows if counts is None else counts):
            raise ValueError(f"rows, cols, weights and counts differ in length: {len(rows)}, "
                             f"{len(cols)}, {len(weights)}, {len(counts)}")
        self._chunks.append(Entries(rows, cols, weights, values, counts))
        self._coalesced = False

    def coalesce(self):
        """Return (unique sorted rows, summed values). The arrays are the stored gradient:
        scaling the values in place scales the gradient."""
        if not self._chunks:
            return np.empty(0, np.int64), np.empty((0, *self.shape[1:]), self.dtype)
        if not self._coalesced:
            rows, cols, weights, values, counts = self.entries()
            if not len(rows):
                self.zero()
                return self.coalesce()
            order = np.argsort(rows, kind="stable")
            rows, cols, weights = rows[order], cols[order], weights[order]
            starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
            expanded = values[cols] * weights.reshape(-1, *[1] * (values.ndim - 1))
            summed = np.add.reduceat(expanded, starts, axis=0)
            n = len(starts)
            counts = np.diff(np.r_[starts, len(rows)]) if counts is None else \
                np.add.reduceat(counts[order], starts)
            self._chunks = [Entries(rows[starts], np.arange(n), np.ones(n, self.dtype), summed,
                                    counts)]
            self._coalesced = True
        return self._chunks[0].rows, self._chunks[0].values

    def chunks(self):
        """The `Entries` as accumulated, chunk by chunk (`entries` joins them in one): an
        update that can take them one at a time spares a copy of every value. Read them, do
        not write into them, as `entries`'."""
        return list(self._chunks) if self._chunks else [self.entries()]

    def examples_by_row(self):
        """(V,) how many examples' updates each row's entries sum, over every chunk (the
        counts `scatter_add` caps by)."""
        chunks = self.chunks()
        return np.bincount(np.concatenate([c.rows for c in chunks]),
                           np.concatenate([_examples(c) for c in chunks]),
                           minlength=self.shape[0])

    def entries(self):
        """The `Entries` as accumulated, repeats not summed: what a linear update such as
        plain SGD can scatter without sorting (`scatter_add`). Their arrays may be the very
        arrays a layer handed over (`add(copy=False)`): read them, do not write into them."""
        if not self._chunks:
            rows, values = self.coalesce()
            return Entries(rows, np.arange(0), np.ones(0, self.dtype), values, None)
        if len(self._chunks) > 1:
            chunks = self._chunks
            offsets = np.cumsum([0] + [len(c.values) for c in chunks[:-1]])
            counts = None
            if any(c.counts is not None for c in chunks):
                counts = np.concatenate([_examples(c) for c in chunks])
            self._chunks = [Entries(np.concatenate([c.rows for c in chunks]),
                                    np.concatenate([c.cols + o for c, o in zip(chunks, offsets)]),
                                    np.concatenate([c.weights for c in chunks]),
                                    np.concatenate([c.values for c in chunks]), counts)]
        return self._chunks[0]

    def to_dense(self):
        dense = np.zeros(self.shape, self.dtype)
        rows, values = self.coalesce()
        dense[rows] = values
        return dense


def _examples(entries):
    """The examples each of the `Entries` sums: its counts, or 1 each."""
    return np.ones(len(entries.rows), np.int64) if entries.counts is None else entries.counts


def scatter_add(table, rows, values, alpha=1.0, max_repeats=None, cols=None, weights=None,
                counts=None, repeats=None):
    """table[rows[j]] += alpha * weights[j] * values[cols[j]] for every j, in place, repeated
    rows adding up (cols defaults to 0..n-1, weights to 1): the product of a sparse (V, n)
    matrix with the values, accumulated into the table.

    max_repeats: a row given the updates of more examples than this (counts[j] per entry,
    default 1) takes their sum scaled down to max_repeats times their mean. A guard for
    updates summed over a large batch: a word repeated hundreds of times in one batch (a list
    of species names, a table of numbers) would otherwise take hundreds of steps at once and
    diverge. repeats: (V,) the examples of each row in the whole step, when these entries are
    one part of it (`SparseGrad.examples_by_row`); given, it replaces `counts` in the cap.

    One `csc_matvecs` product straight into the table, no matrix built: entry j is column
    cols[j] of a (V, n) matrix in CSC form, whose arrays are the entries themselves once they
    are in column order (as every layer hands them over; others are sorted first, stably).
    table: (V, ...) C-contiguous   rows: (nnz,) int   values: (n, ...) with table's row shape.
    """
    V, nnz = table.shape[0], len(rows)
    n = len(values)
    if nnz == 0:
        return
    values = np.ascontiguousarray(values, dtype=table.dtype).reshape(n, -1)
    if not table.flags.c_contiguous or values.shape[1] != table[0].size:
        raise ValueError(f"scatter_add needs a C-contiguous table and values of its row "
                         f"size; got table {table.shape}, values {values.shape}")
    rows = np.asarray(rows, np.int64)
    cols = np.arange(nnz) if cols is None else np.asarray(cols, np.int64)
    weights = np.full(nnz, alpha, table.dtype) if weights is None else \
        np.multiply(weights, alpha, dtype=table.dtype)
    if max_repeats is not None:
        if repeats is None:
            repeats = np.bincount(rows, counts, minlength=V)
        repeats = np.maximum(repeats[rows], 1)        # entries that count no example
        weights *= np.minimum(1, max_repeats / repeats)
    if (cols[1:] < cols[:-1]).any():
        order = np.argsort(cols, kind="stable")
        rows, cols, weights = rows[order], cols[order], weights[order]
    indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(cols, minlength=n), out=indptr[1:])
    csc_matvecs(V, n, values.shape[1], indptr, rows, weights, values.ravel(),
                table.reshape(V, -1).ravel())
