"""Optimizers over any set of Parameters, global-norm clipping and learning-rate schedules.

`params` is a Module, a {name: Parameter} dict, (name, Parameter) pairs such as
`module.named_parameters()`, or a plain list of Parameters (named "0", "1", ...). The names
key the optimizer's `state_dict`, so a checkpoint survives reordering.

`lr` is a number or a schedule: any callable from the step number (0 for the first step) to
a learning rate, such as `LinearDecay`. `opt.lr` is the rate the next step will use.

A sparse parameter (an Embedding table) is updated only in the rows its gradient touched:
exact for SGD and Adagrad, and the "lazy" variant for momentum and Adam (moments of untouched
rows are not decayed), as in PyTorch's SparseAdam. L2 weight decay is added to the gradient of
the rows being updated.
"""
from dataclasses import dataclass

import numpy as np

from nn.module import Module, Parameter
from nn.sparse import scatter_add


class Optimizer:
    """Subclasses define `_update(name, p, rows, g, lr)`: rows is `slice(None)` for a dense
    parameter and the unique touched rows for a sparse one; g is the gradient of those rows.
    Their per-parameter buffers are {name: array} dicts listed by `_buffers`."""

    def __init__(self, params, lr, weight_decay=0.0):
        self.params = _named(params)
        self._lr, self.t = lr, 0
        if self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be non-negative, got {weight_decay}")
        self.weight_decay = weight_decay

    @property
    def lr(self):
        """The learning rate of the next step."""
        return float(self._lr(self.t)) if callable(self._lr) else self._lr

    @lr.setter
    def lr(self, lr):
        self._lr = lr

    def zero_grad(self):
        for p in self.params.values():
            p.zero_grad()

    def step(self):
        if any(p.lr_scale is not None for p in self.params.values()):
            raise ValueError(f"lr_scale (lock factors) needs plain SGD, not "
                             f"{type(self).__name__} or SGD with momentum or weight decay")
        lr = self.lr
        self.t += 1
        for name, p in self.params.items():
            rows, g = p.grad.coalesce() if p.sparse else (slice(None), p.grad)
            if self.weight_decay:
                g = g + self.weight_decay * p.data[rows]   # d/dW (wd/2 |W|^2) = wd W
            self._update(name, p, rows, g, lr)

    def _buffers(self):
        """Per-parameter state, as {buffer name: {parameter name: array}}."""
        return {}

    def state_dict(self):
        """{"t": steps taken, "<buffer>.<parameter name>": array}."""
        state = {"t": np.array(self.t)}
        for buffer, arrays in self._buffers().items():
            state.update({f"{buffer}.{name}": a for name, a in arrays.items()})
        return state

    def load_state_dict(self, state):
        expected = set(self.state_dict())
        if set(state) != expected:
            missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
            raise ValueError(f"optimizer state does not match: missing {missing}, "
                             f"unexpected {extra}")
        self.t = int(state["t"])
        for buffer, arrays in self._buffers().items():
            for name, a in arrays.items():
                a[...] = state[f"{buffer}.{name}"]


def _named(params):
    if isinstance(params, Module):
        params = params.named_parameters()
    if isinstance(params, dict):
        return dict(params)
    params = list(params)
    if all(isinstance(p, Parameter) for p in params):
        return {str(i): p for i, p in enumerate(params)}
    if all(isinstance(p, tuple) and isinstance(p[1], Parameter) for p in params):
        return dict(params)
    raise TypeError("params must be a Module, a {name: Parameter} dict, (name, Parameter) "
                    "pairs or a list of Parameters")


def _zeros(params):
    return {name: np.zeros_like(p.data) for name, p in params.items()}


class SGD(Optimizer):
    """W -= lr g, or with momentum mu: v = mu v + g, W -= lr v.

    max_row_repeats: for sparse parameters, a row updated by more examples in one step (the
    gradient entries' counts) takes their sum scaled to that many times their mean (see
    `scatter_add`). A parameter's `lr_scale` scales its rows' updates. Both need plain SGD:
    with momentum or weight decay they are refused.
    """

    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0, max_row_repeats=None):
        super().__init__(params, lr, weight_decay)
        if max_row_repeats is not None and (momentum or weight_decay):
            raise ValueError("max_row_repeats caps plain SGD's sparse updates; it cannot "
                             "apply with momentum or weight_decay")
        self.momentum, self.max_row_repeats = momentum, max_row_repeats
        self.v = _zeros(self.params) if momentum else {}

    def step(self):
        """Plain SGD is linear in the gradient, so a sparse gradient is scattered into its
        table as accumulated, chunk by chunk, repeated rows and all, without sorting or
        joining the chunks (`scatter_add`); the cap counts a row's examples over them all."""
        if self.momentum or self.weight_decay:
            return super().step()
        lr = self.lr
        self.t += 1
        for p in self.params.values():
            if p.sparse:
                chunks, repeats = p.grad.chunks(), None
                if self.max_row_repeats is not None and len(chunks) > 1:
                    repeats = p.grad.examples_by_row()
                for e in chunks:
                    weights = e.weights
                    if p.lr_scale is not None:
                        weights = weights * p.lr_scale[e.rows]
                    scatter_add(p.data, e.rows, e.values, -lr, self.max_row_repeats, e.cols,
                                weights, e.counts, repeats)
            elif p.lr_scale is not None:
                p.data -= lr * p.grad * p.lr_scale.reshape(-1, *[1] * (p.data.ndim - 1))
            else:
                p.data -= lr * p.grad

    def _update(self, name, p, rows, g, lr):
        if self.momentum:
            self.v[name][rows] = self.momentum * self.v[name][rows] + g
            g = self.v[name][rows]
        p.data[rows] -= lr * g

    def _buffers(self):
        return {"v": self.v}


class Adagrad(Optimizer):
    """G += g^2, W -= lr g / (sqrt(G) + eps): per-coordinate rates, large for rare features."""

    def __init__(self, params, lr=0.01, eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.eps = eps
        self.G = _zeros(self.params)

    def _update(self, name, p, rows, g, lr):
        self.G[name][rows] += g * g
        p.data[rows] -= lr * g / (np.sqrt(self.G[name][rows]) + self.eps)

    def _buffers(self):
        return {"G": self.G}


class Adam(Optimizer):
    """m = b1 m + (1-b1) g, v = b2 v + (1-b2) g^2, W -= lr m^ / (sqrt(v^) + eps) with the
    bias corrections m^ = m / (1 - b1^t), v^ = v / (1 - b2^t) (Kingma & Ba, 2015)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        super().__init__(params, lr, weight_decay)
        self.betas, self.eps = betas, eps
        self.m, self.v = _zeros(self.params), _zeros(self.params)

    def _update(self, name, p, rows, g, lr):
        b1, b2 = self.betas
        m = self.m[name][rows] = b1 * self.m[name][rows] + (1 - b1) * g
        v = self.v[name][rows] = b2 * self.v[name][rows] + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**self.t), v / (1 - b2**self.t)
        p.data[rows] -= lr * m_hat / (np.sqrt(v_hat) + self.eps)

    def _buffers(self):
        return {"m": self.m, "v": self.v}


def clip_grad_norm(params, max_norm):
    """Scale all gradients so their global L2 norm is at most `max_norm`; return the norm
    before clipping (report it: a growing norm warns of divergence)."""
    grads = [p.grad.coalesce()[1] if p.sparse else p.grad for p in _named(params).values()]
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads)))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / (norm + 1e-12)
    return norm


@dataclass(frozen=True)
class LinearDecay:
    """lr falls linearly from `lr` at step 0 to `min_lr` at `total_steps`, as word2vec.c's
    alpha does (with min_lr = lr * 1e-4)."""

    lr: float
    total_steps: int
    min_lr: float = 0.0

    def __call__(self, step):
        return max(self.min_lr, self.lr * (1 - step / self.total_steps))
