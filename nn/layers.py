"""Linear and Embedding layers: `forward` returns (out, cache); `backward(dout, cache)`
returns the input gradient and adds the parameter gradients into `.grad`."""
from typing import NamedTuple

import numpy as np

from nn.checks import check_float, check_index
from nn.init import xavier_uniform
from nn.module import Module, Parameter


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
    costs O(batch x D) whatever the vocabulary size V.
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


class Sequential(Module):
    """Layers applied in order; the cache is the list of the layers' caches."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        caches = []
        for layer in self.layers:
            x, cache = layer.forward(x)
            caches.append(cache)
        return x, caches

    def backward(self, dy, caches):
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            dy = layer.backward(dy, cache)
        return dy
