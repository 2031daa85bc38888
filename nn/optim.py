"""Optimizers over any list of Parameters, global-norm clipping and learning-rate schedules.

A sparse parameter (an Embedding table) is updated only in the rows its gradient touched:
exact for SGD and Adagrad, and the "lazy" variant for momentum and Adam (moments of untouched
rows are not decayed), as in PyTorch's SparseAdam. L2 weight decay is added to the gradient of
the rows being updated.
"""
from dataclasses import dataclass

import numpy as np


class Optimizer:
    """Subclasses define `_update(i, p, rows, g)`: rows is `slice(None)` for a dense parameter
    and the unique touched rows for a sparse one; g is the gradient of those rows."""

    def __init__(self, params, lr, weight_decay=0.0):
        self.params = list(params)
        if lr <= 0:
            raise ValueError(f"lr must be positive, got {lr}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be non-negative, got {weight_decay}")
        self.lr, self.weight_decay, self.t = lr, weight_decay, 0

    def zero_grad(self):
        for p in self.params:
            p.zero_grad()

    def step(self):
        self.t += 1
        for i, p in enumerate(self.params):
            rows, g = p.grad.coalesce() if p.sparse else (slice(None), p.grad)
            if self.weight_decay:
                g = g + self.weight_decay * p.data[rows]   # d/dW (wd/2 |W|^2) = wd W
            self._update(i, p, rows, g)

    def _buffers(self):
        """Per-parameter state arrays, as {name: list of arrays}."""
        return {}

    def state_dict(self):
        state = {"t": np.array(self.t)}
        for name, arrays in self._buffers().items():
            state.update({f"{name}.{i}": a for i, a in enumerate(arrays)})
        return state

    def load_state_dict(self, state):
        self.t = int(state["t"])
        for name, arrays in self._buffers().items():
            for i, a in enumerate(arrays):
                a[...] = state[f"{name}.{i}"]


class SGD(Optimizer):
    """W -= lr g, or with momentum mu: v = mu v + g, W -= lr v."""

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.momentum = momentum
        self.v = [np.zeros_like(p.data) for p in self.params] if momentum else []

    def _update(self, i, p, rows, g):
        if self.momentum:
            self.v[i][rows] = self.momentum * self.v[i][rows] + g
            g = self.v[i][rows]
        p.data[rows] -= self.lr * g

    def _buffers(self):
        return {"v": self.v}


class Adagrad(Optimizer):
    """G += g^2, W -= lr g / (sqrt(G) + eps): per-coordinate rates, large for rare features."""

    def __init__(self, params, lr=0.01, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.eps = eps
        self.G = [np.zeros_like(p.data) for p in self.params]

    def _update(self, i, p, rows, g):
        self.G[i][rows] += g * g
        p.data[rows] -= self.lr * g / (np.sqrt(self.G[i][rows]) + self.eps)

    def _buffers(self):
        return {"G": self.G}


class Adam(Optimizer):
    """m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, W -= lr m^ / (sqrt(v^) + eps) with the
    bias corrections m^ = m / (1 - b1^t), v^ = v / (1 - b2^t) (Kingma & Ba, 2015)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.betas, self.eps = betas, eps
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]

    def _update(self, i, p, rows, g):
        b1, b2 = self.betas
        m = self.m[i][rows] = b1 * self.m[i][rows] + (1 - b1) * g
        v = self.v[i][rows] = b2 * self.v[i][rows] + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)
        p.data[rows] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def _buffers(self):
        return {"m": self.m, "v": self.v}


def clip_grad_norm(params, max_norm):
    """Scale all gradients so their global L2 norm is at most `max_norm`; return the norm
    before clipping (report it: a growing norm warns of divergence)."""
    grads = [p.grad.coalesce()[1] if p.sparse else p.grad for p in params]
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / (norm + 1e-12)
    return norm


@dataclass(frozen=True)
class Constant:
    lr: float

    def __call__(self, step):
        return self.lr


@dataclass(frozen=True)
class LinearDecay:
    """lr falls linearly from `lr` at step 0 to `min_lr` at `total_steps`, as in word2vec.c."""

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __call__(self, step):
        return max(self.min_lr, self.lr * (1 - step / self.total_steps))
