"""Argument checks for the public functions of nn: a wrong shape or dtype fails at the call,
naming the argument, instead of as a broadcasting error deep inside a backward pass."""
import numpy as np


def check_shape(name, x, shape):
    """Check that `x.shape` matches `shape`: ints must match, strings are free (they name the
    axis in the message), and a leading `...` allows any number of leading axes."""
    shape = tuple(shape)
    leading = shape[:1] == (...,)
    tail = shape[1:] if leading else shape
    ok = (x.ndim >= len(tail) if leading else x.ndim == len(tail)) and all(
        isinstance(want, str) or got == want
        for got, want in zip(x.shape[x.ndim - len(tail):], tail)
    )
    if not ok:
        spec = ", ".join("..." if s is ... else str(s) for s in shape)
        raise ValueError(f"{name} must have shape ({spec}), got {x.shape}")


def check_float(name, x, dtype=None, shape=None):
    """`x` must be a float ndarray; of exactly `dtype` when given (a layer's parameter dtype:
    mixing float32 and float64 silently doubles the cost of every step)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}")
    if dtype is None and x.dtype.kind != "f":
        raise TypeError(f"{name} must hold floats, got dtype {x.dtype}")
    if dtype is not None and x.dtype != dtype:
        raise TypeError(
            f"{name} must have dtype {np.dtype(dtype)} (the parameters' dtype), got {x.dtype}"
        )
    if shape is not None:
        check_shape(name, x, shape)


def check_index(name, x, upper, shape=None):
    """`x` must be an integer ndarray with values in [0, upper)."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a NumPy array, got {type(x).__name__}")
    if x.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integers, got dtype {x.dtype}")
    if shape is not None:
        check_shape(name, x, shape)
    if x.size and (x.min() < 0 or x.max() >= upper):
        raise ValueError(f"{name} must lie in [0, {upper}), got values in [{x.min()}, {x.max()}]")
