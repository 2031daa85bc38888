"""Feed-forward layers: `forward` returns (out, cache); `backward(dout, cache)` returns the
input gradient and adds the parameter gradients into `.grad`.

A cache holds references to the layer's inputs, not copies (copying every activation would
cost as much as the layer): do not modify an input in place between forward and backward.
"""
from typing import NamedTuple

import numpy as np

from nn.init import xavier_uniform
from nn.module import Module, Parameter
from nn.validate import check_float, check_index


class LinearCache(NamedTuple):
    x: np.ndarray


class Linear(Module):
    """y = x W + b.   x: (..., D)  W: (D, H)  b: (H,)  y: (..., H)"""

    def __init__(self, D, H, *, bias=True, dtype=np.float32, rng=None):
        rng = np.random.default_rng(rng)
        self.W = Parameter(xavier_uniform(rng, D, H, dtype))
        self.b = Parameter(np.zeros(H, dtype)) if bias else None

    def forward(self, x):
        D, H = self.W.data.shape
        check_float("x", x, self.W.data.dtype, (..., D))
        y = x @ self.W.data
        if self.b is not None:
            y += self.b.data
        return y, LinearCache(x)

    def backward(self, dy, cache):
        D, H = self.W.data.shape
        check_float("dy", dy, self.W.data.dtype, (*cache.x.shape[:-1], H))
        x2, dy2 = cache.x.reshape(-1, D), dy.reshape(-1, H)
        self.W.grad += x2.T @ dy2           # dL/dW = x^T dy
        if self.b is not None:
            self.b.grad += dy2.sum(axis=0)  # dL/db = sum over rows of dy
        return dy @ self.W.data.T           # dL/dx = dy W^T


class EmbeddingCache(NamedTuple):
    ids: np.ndarray


class Embedding(Module):
    """y = W[ids].   ids: (...) int  W: (V, D)  y: (..., D)

    The gradient is sparse: backward records only the rows used, so a step over a batch
    costs O(batch x D) whatever the vocabulary size V. Its input is integer ids, which have
    no gradient: `backward` returns None, so an Embedding can only be a first layer.
    """

    def __init__(self, V, D, *, dtype=np.float32, rng=None, scale=None):
        rng = np.random.default_rng(rng)
        scale = 1.0 / np.sqrt(D) if scale is None else scale
        self.W = Parameter(rng.uniform(-scale, scale, (V, D)).astype(dtype), sparse=True)

    def forward(self, ids):
        check_index("ids", ids, self.W.data.shape[0])
        return self.W.data[ids], EmbeddingCache(ids)

    def backward(self, dy, cache):
        D = self.W.data.shape[1]
        check_float("dy", dy, self.W.data.dtype, (*cache.ids.shape, D))
        self.W.grad.add(cache.ids, dy)      # dL/dW[i] = sum of dy over positions holding i
        return None


class OutputEmbeddingCache(NamedTuple):
    h: np.ndarray
    rows: np.ndarray | None
    W_rows: np.ndarray | None


class OutputEmbedding(Module):
    """Scores of input vectors against rows of an output table: the output layer of word2vec
    for all three objectives, one (V, D) layout whichever is used.

        rows (N, K) int:  scores[n, k] = W[rows[n, k]] . h[n]   (per-example negatives, or
                          the nodes of a padded Huffman path)
        rows (K,) int:    scores[n, k] = W[rows[k]] . h[n]      (one set of rows shared by
                          the batch: a matrix product, Ji et al. 2016's shared negatives)
        rows None:        scores = h W^T, every row             (the exact softmax)

    h: (N, D)   W: (V, D)   scores: (N, K) or (N, V)

    The gradient of W is sparse (only the rows scored), as for an Embedding.
    """

    def __init__(self, V, D, *, dtype=np.float32, rng=None, scale=0.0):
        rng = np.random.default_rng(rng)
        W = rng.uniform(-scale, scale, (V, D)).astype(dtype) if scale else np.zeros((V, D), dtype)
        self.W = Parameter(W, sparse=True)

    def forward(self, h, rows=None):
        V, D = self.W.data.shape
        check_float("h", h, self.W.data.dtype, ("N", D))
        if rows is None:
            return h @ self.W.data.T, OutputEmbeddingCache(h, None, None)
        check_index("rows", rows, V)
        if rows.ndim == 1:
            W_rows = self.W.data[rows]                                # (K, D)
            return h @ W_rows.T, OutputEmbeddingCache(h, rows, W_rows)
        if rows.ndim != 2 or rows.shape[0] != h.shape[0]:
            raise ValueError(f"rows must have shape (K,) or (N, K) with N = {h.shape[0]}, "
                             f"got {rows.shape}")
        W_rows = self.W.data[rows]                                    # (N, K, D)
        return np.matmul(W_rows, h[:, :, None])[:, :, 0], OutputEmbeddingCache(h, rows, W_rows)

    def backward(self, dscores, cache):
        h, rows, W_rows = cache
        V, D = self.W.data.shape
        check_float("dscores", dscores, self.W.data.dtype,
                    (h.shape[0], V if rows is None else rows.shape[-1]))
        if rows is None:
            self.W.grad.add(np.arange(V), dscores.T @ h)              # dW = dscores^T h
            return dscores @ self.W.data                              # dh = dscores W
        if rows.ndim == 1:
            self.W.grad.add(rows, dscores.T @ h)                      # dW[rows] += ds^T h
            return dscores @ W_rows                                   # dh = ds W[rows]
        self.W.grad.add(rows, dscores[:, :, None] * h[:, None, :])    # dW[r_nk] += ds_nk h_n
        return np.matmul(dscores[:, None, :], W_rows)[:, 0, :]        # dh_n = sum_k ds_nk W[r_nk]


class DropoutCache(NamedTuple):
    mask: np.ndarray | None


class Dropout(Module):
    """Inverted dropout: in training, each element is zeroed with probability p and the rest
    scaled by 1 / (1 - p), so evaluation (`eval()`) is the identity with no rescaling.

    rng: a seed or a `numpy.random.Generator`; pass the model's own generator to make the
    masks part of its reproducible random state.
    """

    def __init__(self, p, *, rng=None):
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p, self.rng = p, np.random.default_rng(rng)

    def forward(self, x):
        if not self.training or self.p == 0:
            return x, DropoutCache(None)
        mask = (self.rng.random(x.shape, dtype=np.float32) >= self.p).astype(x.dtype)
        mask /= 1 - self.p
        return x * mask, DropoutCache(mask)

    def backward(self, dy, cache):
        return dy if cache.mask is None else dy * cache.mask   # y = x m  =>  dx = dy m
