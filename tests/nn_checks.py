"""Helpers for the nn tests: gradient checks of a layer contracted with a random upstream
gradient, and the assertion that every error is small (a NaN fails)."""
import numpy as np

import nn

TOL = 1e-6
F64 = np.float64


def rand(rng, *shape):
    return rng.standard_normal(shape)


def assert_close(errors):
    """Every relative error below TOL; `not (e < TOL)` also catches NaN, wherever it is."""
    assert errors and all(e < TOL for e in errors.values()), errors


def check_layer(layer, x, rng, input_name="x", **kwargs):
    """Gradient check of a feed-forward layer's forward/backward."""
    out, _ = layer.forward(x, **kwargs)
    dout = rand(rng, *out.shape)

    def loss_fn():
        out, cache = layer.forward(x, **kwargs)
        dx = layer.backward(dout, cache)
        return float(np.sum(out * dout)), {input_name: dx}

    inputs = {input_name: x} if x.dtype.kind == "f" else {}
    return nn.check_gradients(loss_fn, dict(layer.named_parameters()), inputs)
