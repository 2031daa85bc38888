"""Parameters with their gradients, and the container that finds, switches, saves and loads
them."""
import numpy as np

from nn.sparse import SparseGrad
from npnlp.files import atomic_write


class Parameter:
    """An array and its gradient. `sparse=True` keeps the gradient as a `SparseGrad`.
    lr_scale: None, or a factor per row of `data` that SGD multiplies the row's updates by
    (gensim's lock factors: 0 freezes a row, 1 trains it as the others)."""

    def __init__(self, data, sparse=False):
        self.data = data
        self.sparse = sparse
        self.lr_scale = None
        self.grad = SparseGrad(data.shape, data.dtype) if sparse else np.zeros_like(data)

    def zero_grad(self):
        if self.sparse:
            self.grad.zero()
        else:
            self.grad.fill(0)

    def __repr__(self):
        kind = "sparse " if self.sparse else ""
        return f"Parameter({kind}{self.data.dtype} {self.data.shape})"


class Module:
    """Anything with parameters. They are found by walking the attributes: a `Parameter`, a
    sub-`Module`, or a list, tuple or dict of them, to any depth (named `layers.0.W`,
    `gates.i.W`, ...). A parameter reached twice (a shared table) is listed once.

    `training` is True after `train()` and False after `eval()`, for this module and every
    sub-module: layers that behave differently at evaluation time (Dropout) read it.
    """

    training = True

    def named_parameters(self):
        """(name, Parameter) pairs, in attribute order."""
        seen = set()
        for name, item in _walk(self, ""):
            if isinstance(item, Parameter) and id(item) not in seen:
                seen.add(id(item))
                yield name, item

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def modules(self):
        """This module and every sub-module."""
        yield self
        for _, item in _walk(self, ""):
            if isinstance(item, Module):
                yield item

    def train(self, mode=True):
        for module in self.modules():
            module.training = mode
        return self

    def eval(self):
        return self.train(False)

    def zero_grad(self):
        for p in self.parameters():
            p.zero_grad()

    def state_dict(self):
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state):
        """Copy arrays into the parameters; names and shapes must match exactly."""
        params = dict(self.named_parameters())
        if set(state) != set(params):
            missing, extra = sorted(set(params) - set(state)), sorted(set(state) - set(params))
            raise ValueError(
                f"state does not match the module: missing {missing}, unexpected {extra}"
            )
        for name, p in params.items():
            if state[name].shape != p.data.shape:
                raise ValueError(
                    f"{name} has shape {state[name].shape} in the state, "
                    f"{p.data.shape} in the module"
                )
            p.data[...] = state[name]

    def save(self, path):
        """Write the parameters to one `.npz` of named arrays, atomically."""
        save_npz(path, self.state_dict())

    def load(self, path):
        with np.load(path) as f:
            self.load_state_dict(dict(f))

    def __repr__(self):
        """One line, as micrograd prints a model: the parts by attribute name, e.g.
        `Net(embed=Embedding(65, 64), head=Linear(64, 65))`. Layers print their sizes."""
        parts = [f"{name}={_repr(value)}" for name, value in vars(self).items()
                 if next(_visit(value, name), None) is not None]
        return f"{type(self).__name__}({', '.join(parts)})"


def _walk(module, prefix):
    """(name, item) for every Parameter and Module below `module`, depth first; Modules are
    yielded before their contents."""
    for name, value in vars(module).items():
        yield from _visit(value, prefix + name)


def _visit(value, name):
    """(name, item) for `value` if it is a Parameter or Module, then for what it holds."""
    if isinstance(value, (Parameter, Module)):
        yield name, value
        if isinstance(value, Module):
            yield from _walk(value, name + ".")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _visit(item, f"{name}.{i}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _visit(item, f"{name}.{key}")


def _repr(value):
    """repr with lists and dicts of parts printed as `[a, b]` and `{key: a}`."""
    if isinstance(value, (list, tuple)):
        return f"[{', '.join(map(_repr, value))}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_repr(item)}" for key, item in value.items()) + "}"
    return repr(value)


def save_npz(path, arrays):
    """`np.savez` of named arrays, atomically: never a half-written file."""
    with atomic_write(path, binary=True) as f:
        np.savez(f, **arrays)
