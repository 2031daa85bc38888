"""Containers: `Sequential` chains feed-forward layers; `Stack` chains recurrent cells and has
the recurrent contract itself (a state per layer), so a model treats one cell and a stack of
them alike."""
from typing import NamedTuple

from nn.layers import Dropout, Embedding
from nn.module import Module
from nn.recurrent import Recurrent


class Sequential(Module):
    """Feed-forward layers applied in order; the cache is the list of the layers' caches.

    Recurrent layers, which return a state as well, do not fit and are refused (use `Stack`);
    so is an `Embedding` anywhere but first, since its integer input has no gradient.
    """

    def __init__(self, *layers):
        for i, layer in enumerate(layers):
            if isinstance(layer, Recurrent):
                raise TypeError(f"Sequential holds feed-forward layers; layer {i} is a "
                                f"{type(layer).__name__}, which carries a state: use nn.Stack")
            if not isinstance(layer, Module):
                raise TypeError(f"layer {i} is a {type(layer).__name__}, not an nn.Module")
            if isinstance(layer, Embedding) and i > 0:
                raise TypeError(f"an Embedding takes integer ids, so it can only be the first "
                                f"layer, not layer {i}")
        self.layers = list(layers)

    def __repr__(self):
        return f"Sequential({', '.join(map(repr, self.layers))})"

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


class StackCache(NamedTuple):
    dropout: list   # the Dropout cache of each layer's input, None for the first layer
    cells: list     # each cell's SequenceCache


class Stack(Recurrent):
    """Recurrent cells on top of each other, each carrying its own state: layer l reads the
    hidden states of layer l - 1. In training, dropout with probability `dropout` applies to
    the input of every layer but the first (between layers, as PyTorch's `dropout=`).

    state: a tuple with one cell state per layer, e.g. ((h0, c0), (h1, c1)) for two LSTMs.
    rng: seed or Generator for the dropout masks.
    """

    def __init__(self, cells, *, dropout=0.0, rng=None):
        cells = list(cells)
        if not cells or not all(isinstance(c, Recurrent) for c in cells):
            raise TypeError("Stack needs a non-empty list of recurrent cells")
        for i, (below, above) in enumerate(zip(cells, cells[1:])):
            if below.hidden_size != above.input_size:
                raise ValueError(f"cell {i} outputs {below.hidden_size} features but cell "
                                 f"{i + 1} takes {above.input_size}")
        self.layers = cells
        self.dropout = [Dropout(dropout, rng=rng) for _ in cells[1:]]

    def __repr__(self):
        p = self.dropout[0].p if self.dropout else 0
        return f"Stack({self.layers}" + (f", dropout={p})" if p else ")")

    @property
    def input_size(self):
        return self.layers[0].input_size

    @property
    def hidden_size(self):
        return self.layers[-1].hidden_size

    def zero_state(self, N):
        return tuple(cell.zero_state(N) for cell in self.layers)

    def forward(self, x, state=None):
        state = self._check_state(state)
        drop_caches, cell_caches, final = [None], [], []
        for i, (cell, s) in enumerate(zip(self.layers, state)):
            if i:
                x, drop_cache = self.dropout[i - 1].forward(x)
                drop_caches.append(drop_cache)
            x, s, cell_cache = cell.forward(x, s)
            cell_caches.append(cell_cache)
            final.append(s)
        return x, tuple(final), StackCache(drop_caches, cell_caches)

    def backward(self, dhs, cache, dstate=None):
        dstate = self._check_state(dstate, "dstate")
        dstate0 = [None] * len(self.layers)
        for i in reversed(range(len(self.layers))):
            dhs, dstate0[i] = self.layers[i].backward(dhs, cache.cells[i], dstate[i])
            if i:
                dhs = self.dropout[i - 1].backward(dhs, cache.dropout[i])
        return dhs, tuple(dstate0)

    def step(self, x, state):
        """One time step through every layer, without dropout or cache (for sampling)."""
        final = []
        for cell, s in zip(self.layers, self._check_state(state)):
            x, s = cell.step(x, s)
            final.append(s)
        return x, tuple(final)

    def load_torch(self, state_dict):
        """Take the weights of a PyTorch nn.RNN/LSTM/GRU with as many layers (its
        `state_dict()` with tensors turned into NumPy arrays)."""
        for i, cell in enumerate(self.layers):
            cell.load_torch(*(state_dict[f"{name}_l{i}"]
                              for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")))

    def _check_state(self, state, name="state"):
        if state is None:
            return (None,) * len(self.layers)
        if not isinstance(state, tuple) or len(state) != len(self.layers):
            raise TypeError(f"{name} must be a tuple of {len(self.layers)} cell states, "
                            f"one per layer")
        return state
