"""Recurrent cells over a batch of sequences, time first: vanilla RNN, LSTM and GRU, with
PyTorch's gate order so that its trained weights load (`load_torch`).
"""
from typing import NamedTuple

import numpy as np

from nn.activations import sigmoid
from nn.init import orthogonal, xavier_uniform
from nn.layers import matmul2d
from nn.module import Module, Parameter
from nn.validate import check_float


class Recurrent(Module):
    """What every recurrent module (a cell, a stack of cells) provides. It carries a state
    between calls:

        forward(x, state=None) -> (hs, state, cache)
        backward(dhs, cache, dstate=None) -> (dx, dstate0)
        step(x_t, state) -> (h_t, state)             one step without a cache, for sampling

    A state is a tuple of (N, H) arrays: (h,) for RNN and GRU, (h, c) for LSTM; None means
    zeros. `forward` returns the state it ends in (a copy: editing it in place, say zeroing
    the rows of finished documents, does not touch the cache), so training carries it across
    truncated-BPTT windows; `backward` takes the gradient arriving at that final state (None
    for zero) and returns the gradient at the initial one. `hs` is not a copy: the cache reads
    it as the previous hidden state of each step, so do not modify it in place before
    `backward`.
    """

    def zero_state(self, N):
        raise NotImplementedError

    def forward(self, x, state=None):
        raise NotImplementedError

    def backward(self, dhs, cache, dstate=None):
        raise NotImplementedError

    def step(self, x, state):
        raise NotImplementedError


class SequenceCache(NamedTuple):
    x: np.ndarray       # (T, N, D)
    hs: np.ndarray      # (T + 1, N, H): the initial hidden state, then each step's
    steps: list         # the cell's cache for each step


class Cell(Recurrent):
    """The time loop shared by the cells: it does the matrix products, a cell the element-wise
    math of one step.

    Shapes: T time, N batch, D input, H hidden, G gate blocks (RNN 1, GRU 3, LSTM 4).
        x: (T, N, D)   Wx: (D, G H)   Wh: (H, G H)   b: (G H,)   hs: (T, N, H)

    Time comes first, as in PyTorch's default layout, so that each step's slice is one
    contiguous block; a batch-first (N, T, D) array passes unnoticed in a call without a
    state, so check the layout. Only h_{t-1} Wh is computed step by step: the input
    projection x Wx + b and all three weight gradients are single matrix products over the
    whole T x N batch.
    Gate blocks are in PyTorch's order (LSTM i, f, g, o; GRU r, z, n).

    A cell defines G, `state_names`, and

        _step(ax, ah, state) -> (state, cache)
        _step_backward(dstate, h_prev, cache) -> (dax, dah, dstate_prev)

    where ax = x_t Wx + b and ah = h_{t-1} Wh (the cell may overwrite ah), dax and dah are
    the gradients of those two pre-activations (`tied`: the same array, as when they are
    added before any nonlinearity, in all but the GRU), and dstate_prev is the gradient of
    the previous state apart from the path through h_{t-1} Wh, which the loop adds.
    """

    G = 1
    state_names = ("h",)
    tied = False

    def __init__(self, D, H, *, dtype=np.float32, rng=None):
        rng = np.random.default_rng(rng)
        self.Wx = Parameter(xavier_uniform(rng, D, self.G * H, dtype))
        self.Wh = Parameter(np.hstack([orthogonal(rng, H, dtype) for _ in range(self.G)]))
        self.b = Parameter(np.zeros(self.G * H, dtype))

    @property
    def input_size(self):
        return self.Wx.data.shape[0]

    @property
    def hidden_size(self):
        return self.Wh.data.shape[0]

    def zero_state(self, N):
        return tuple(np.zeros((N, self.hidden_size), self.Wx.data.dtype) for _ in self.state_names)

    def __repr__(self):
        return f"{type(self).__name__}({self.input_size}, {self.hidden_size})"

    def step(self, x, state):
        check_float("x", x, self.Wx.data.dtype, ("N", self.input_size))
        state = self._check_state(state, x.shape[0])
        state, _ = self._step(x @ self.Wx.data + self.b.data, state[0] @ self.Wh.data, state)
        return state[0], state

    def forward(self, x, state=None):
        check_float("x", x, self.Wx.data.dtype, ("T", "N", self.input_size))
        T, N, _ = x.shape
        state = self._check_state(state, N)
        ax = matmul2d(x, self.Wx.data)
        ax += self.b.data
        hs = np.empty((T + 1, N, self.hidden_size), x.dtype)   # hs[t]: h_{t-1} of step t
        hs[0] = state[0]
        steps = []
        for t in range(T):
            state, step_cache = self._step(ax[t], hs[t] @ self.Wh.data, state)
            hs[t + 1] = state[0]
            steps.append(step_cache)
        return hs[1:], tuple(s.copy() for s in state), SequenceCache(x, hs, steps)

    def backward(self, dhs, cache, dstate=None):
        T, N, D = cache.x.shape
        H, GH = self.hidden_size, self.G * self.hidden_size
        check_float("dhs", dhs, self.Wx.data.dtype, (T, N, H))
        dstate = self._check_state(dstate, N, "dstate")
        dax = np.empty((T, N, GH), dhs.dtype)
        dah = dax if self.tied else np.empty_like(dax)
        WhT = np.ascontiguousarray(self.Wh.data.T)   # 15% faster per step than the view
        for t in reversed(range(T)):
            dstate = (dstate[0] + dhs[t], *dstate[1:])
            dax_t, dah_t, dstate = self._step_backward(dstate, cache.hs[t], cache.steps[t])
            dh_prev = dah_t @ WhT                                    # dh_{t-1} += dah Wh^T
            if dstate[0] is not None:
                dh_prev += dstate[0]
            dstate = (dh_prev, *dstate[1:])
            dax[t] = dax_t
            if not self.tied:
                dah[t] = dah_t
        dax2 = dax.reshape(-1, GH)
        self.Wx.grad += cache.x.reshape(-1, D).T @ dax2                   # sum_t x_t^T dax_t
        self.Wh.grad += cache.hs[:-1].reshape(-1, H).T @ dah.reshape(-1, GH)   # h_{t-1}^T dah_t
        self.b.grad += dax2.sum(axis=0)
        return matmul2d(dax, self.Wx.data.T), dstate

    def load_torch(self, weight_ih, weight_hh, bias_ih, bias_hh):
        """Take the weights of a one-layer PyTorch cell of the same kind and sizes (NumPy
        arrays, e.g. `lstm.weight_ih_l0.detach().numpy()`): its outputs then equal ours."""
        for name, ours, theirs in (("weight_ih", self.Wx, weight_ih),
                                   ("weight_hh", self.Wh, weight_hh)):
            if theirs.T.shape != ours.data.shape:
                raise ValueError(f"{name} has shape {theirs.shape}, expected "
                                 f"{ours.data.T.shape}")
            ours.data[...] = theirs.T
        self.b.data[...] = bias_ih + bias_hh

    def _check_state(self, state, N, name="state"):
        if state is None:
            return self.zero_state(N)
        names = ", ".join(self.state_names)
        if not isinstance(state, tuple) or len(state) != len(self.state_names):
            raise TypeError(
                f"{name} must be a tuple ({names}) of (N, H) arrays for {type(self).__name__}"
            )
        for s, part in zip(self.state_names, state):
            check_float(f"{name}.{s}", part, self.Wx.data.dtype, (N, self.hidden_size))
        return state


class RNN(Cell):
    """h_t = tanh(x_t Wx + h_{t-1} Wh + b)
    Cache for backward: T·N·(D + 2H) + N·H floats (x, h_0..h_T, and each h_t again)."""

    G = 1
    state_names = ("h",)
    tied = True

    def _step(self, ax, ah, state):
        ah += ax
        h = np.tanh(ah, out=ah)
        return (h,), h

    def _step_backward(self, dstate, h_prev, h):
        da = dstate[0] * (1 - h**2)                    # tanh' = 1 - h^2
        return da, da, (None,)


class LSTMCache(NamedTuple):
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c_prev: np.ndarray
    tanh_c: np.ndarray


class LSTM(Cell):
    """a = x_t Wx + h_{t-1} Wh + b, split in four: gates i, f, o = sigmoid, candidate g = tanh;
    c_t = f c_{t-1} + i g;   h_t = o tanh(c_t).
    Cache for backward: T·N·(D + 7H) + N·H floats (x, h_0..h_T, i f g o, c_{t-1}, tanh c_t).

    The forget-gate bias starts at 1 so early training remembers (Jozefowicz et al., 2015).
    """

    G = 4
    state_names = ("h", "c")
    tied = True

    def __init__(self, D, H, *, dtype=np.float32, rng=None):
        super().__init__(D, H, dtype=dtype, rng=rng)
        self.b.data[H:2 * H] = 1

    def _step(self, ax, ah, state):
        h_prev, c_prev = state
        H = h_prev.shape[1]
        a = ah
        a += ax
        i_f = sigmoid(a[:, :2 * H])
        i, f = i_f[:, :H], i_f[:, H:]
        g = np.tanh(a[:, 2 * H:3 * H])
        o = sigmoid(a[:, 3 * H:])
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        return (o * tanh_c, c), LSTMCache(i, f, g, o, c_prev, tanh_c)

    def _step_backward(self, dstate, h_prev, cache):
        dh, dc = dstate
        i, f, g, o, c_prev, tanh_c = cache
        H = dh.shape[1]
        dc = dc + dh * o * (1 - tanh_c**2)                 # h = o tanh(c)
        da = np.empty((dh.shape[0], 4 * H), dh.dtype)
        da[:, :H] = dc * g * i * (1 - i)                   # c = f c_prev + i g; sigma' = s(1-s)
        da[:, H:2 * H] = dc * c_prev * f * (1 - f)
        da[:, 2 * H:3 * H] = dc * i * (1 - g**2)           # tanh' = 1 - g^2
        da[:, 3 * H:] = dh * tanh_c * o * (1 - o)
        return da, da, (None, dc * f)


class GRUCache(NamedTuple):
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray


class GRU(Cell):
    """r = sigmoid(ax_r + h Wh_r),  z = sigmoid(ax_z + h Wh_z),
    n = tanh(ax_n + r (h Wh_n + b_hn)),  h_t = (1 - z) n + z h_{t-1},  with ax = x_t Wx + b.
    Cache for backward: T·N·(D + 5H) + N·H floats (x, h_0..h_T, r z n, h Wh_n + b_hn).

    The cuDNN/PyTorch form: the reset gate applies after the recurrent product, so one matrix
    product per step serves all three blocks. `b_hn` is PyTorch's bias_hn, the one bias that
    cannot be folded into `b`.
    """

    G = 3
    state_names = ("h",)

    def __init__(self, D, H, *, dtype=np.float32, rng=None):
        super().__init__(D, H, dtype=dtype, rng=rng)
        self.b_hn = Parameter(np.zeros(H, dtype))

    def load_torch(self, weight_ih, weight_hh, bias_ih, bias_hh):
        H = self.hidden_size
        super().load_torch(weight_ih, weight_hh, bias_ih, bias_hh)
        self.b.data[2 * H:] = bias_ih[2 * H:]
        self.b_hn.data[...] = bias_hh[2 * H:]

    def _step(self, ax, ah, state):
        h_prev = state[0]
        H = h_prev.shape[1]
        rz = sigmoid(ax[:, :2 * H] + ah[:, :2 * H])
        r, z = rz[:, :H], rz[:, H:]
        hn = ah[:, 2 * H:] + self.b_hn.data
        n = np.tanh(ax[:, 2 * H:] + r * hn)
        return ((1 - z) * n + z * h_prev,), GRUCache(r, z, n, hn)

    def _step_backward(self, dstate, h_prev, cache):
        dh = dstate[0]
        r, z, n, hn = cache
        H = dh.shape[1]
        dan = dh * (1 - z) * (1 - n**2)                    # h = (1-z) n + z h_prev; n = tanh(a_n)
        dhn = dan * r                                      # a_n = ax_n + r hn
        dax = np.empty((dh.shape[0], 3 * H), dh.dtype)
        dax[:, :H] = dan * hn * r * (1 - r)
        dax[:, H:2 * H] = dh * (h_prev - n) * z * (1 - z)
        dax[:, 2 * H:] = dan
        dah = dax.copy()
        dah[:, 2 * H:] = dhn
        self.b_hn.grad += dhn.sum(axis=0)
        return dax, dah, (dh * z,)
