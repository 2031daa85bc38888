"""Numerical gradient checking by central differences, in float64."""
import numpy as np


def numerical_gradient(f, x, eps=1e-5):
    """d f() / d x by central differences; `x` is perturbed in place and restored."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f()
        x[idx] = old - eps
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """max over elements of |a - b| / (|a| + |b|), the cs231n measure, except that elements
    below 1% of the array's largest |a| + |b| are measured against that 1%: on them the
    rounding error of central differences (~1e-16 |loss| / eps) is larger than 1e-6.
    A NaN or infinity anywhere gives inf, never a comparison that silently passes."""
    if a.size == 0:
        return 0.0
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("inf")
    size = np.abs(a) + np.abs(b)
    return float(np.max(np.abs(a - b) / np.maximum(size, max(1e-2 * size.max(), 1e-12))))


def check_gradients(loss_fn, params=None, inputs=None, eps=1e-5):
    """Compare analytic with numerical gradients; return {name: max relative error}.

    loss_fn() runs the forward and backward passes and returns (loss, {input name: gradient}).
    params: {name: Parameter} whose `.grad` backward fills; zeroed before every call.
    inputs: {name: array} that loss_fn reads and whose gradients it returns.
    Everything must be float64: in float32 central differences measure rounding, not slopes.
    """
    params, inputs = params or {}, inputs or {}
    arrays = {**{n: p.data for n, p in params.items()}, **inputs}
    for name, a in arrays.items():
        if a.dtype != np.float64:
            raise TypeError(f"gradient check needs float64 arrays, {name} is {a.dtype}")

    def loss():
        for p in params.values():
            p.zero_grad()
        return loss_fn()

    _, input_grads = loss()
    analytic = {n: p.grad.to_dense() if p.sparse else p.grad.copy() for n, p in params.items()}
    analytic.update({n: input_grads[n] for n in inputs})
    return {
        name: relative_error(analytic[name], numerical_gradient(lambda: loss()[0], a, eps))
        for name, a in arrays.items()
    }
