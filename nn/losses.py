"""Losses. Each returns (loss, gradient with respect to its first argument): the loss is
where backpropagation starts, so there is no cache to keep.

A `mask` (True = counted) leaves positions out, e.g. padding; with reduction="mean" the loss
is averaged over the counted positions only.
"""
import numpy as np

from nn.validate import check_float, check_index, check_shape

REDUCTIONS = ("mean", "sum")


def _weights(mask, shape, dtype, reduction):
    """Per-position weights (the mask as 0/1, or None for all ones) and the divisor."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    weights = None
    if mask is not None:
        mask = np.asarray(mask)
        check_shape("mask", mask, shape)
        weights = mask.astype(dtype).ravel()
    if reduction == "sum":
        return weights, 1
    count = int(np.prod(shape)) if weights is None else weights.sum()
    return weights, max(count, 1)


def softmax_cross_entropy(logits, targets, *, reduction="mean", mask=None):
    """-log softmax(logits)[target], from logits via a stable log-sum-exp.

    logits: (..., V) float   targets: (...) int in [0, V)   mask: (...) bool.

    One (N, V) array is allocated and exp is taken once: the shifted logits become the
    probabilities, then the gradient, in place.
    """
    check_float("logits", logits)
    V = logits.shape[-1]
    check_index("targets", targets, V, logits.shape[:-1])
    weights, denom = _weights(mask, logits.shape[:-1], logits.dtype, reduction)
    t = targets.ravel()
    rows = np.arange(len(t))

    dz = logits.reshape(-1, V) - logits.reshape(-1, V).max(axis=1, keepdims=True)
    z_t = dz[rows, t]
    np.exp(dz, out=dz)
    sum_exp = dz.sum(axis=1)
    nll = np.log(sum_exp) - z_t            # -log p_t = log sum exp(z) - z_t
    dz /= sum_exp[:, None]
    dz[rows, t] -= 1                       # d(-log p_t)/dz = softmax(z) - onehot(t)
    if weights is None:
        loss = float(nll.sum()) / denom
        dz /= denom
    else:
        loss = float(nll @ weights) / denom
        dz *= (weights / denom)[:, None]
    return loss, dz.reshape(logits.shape)


def logistic_loss(logits, labels, *, reduction="mean", mask=None):
    """Binary cross-entropy -[y log s(z) + (1 - y) log s(-z)] from logits z, labels y in [0, 1]:
    the loss of negative sampling and hierarchical softmax (a mask skips the padding of
    Huffman paths of unequal length).

    With e = exp(-|z|), which never overflows: loss = max(z, 0) - y z + log1p(e), and
    s(z) = 1 / (1 + e) for z >= 0, e / (1 + e) below, that is max(e, [z >= 0]) / (1 + e):
    one exp serves both, accurate in both tails.

    logits: (...) float   labels: (...) in [0, 1]   mask: (...) bool.
    """
    check_float("logits", logits)
    y = np.asarray(labels, dtype=logits.dtype)
    check_shape("labels", y, logits.shape)
    weights, denom = _weights(mask, logits.shape, logits.dtype, reduction)
    e = np.abs(logits)
    np.negative(e, out=e)
    np.exp(e, out=e)                                  # e = exp(-|z|) in (0, 1]
    losses = np.log1p(e)
    losses += np.maximum(logits, 0)
    losses -= y * logits
    dz = np.maximum(e, logits >= 0)
    e += 1
    dz /= e                                           # s(z)
    dz -= y                                           # d/dz = s(z) - y
    if weights is not None:
        weights = weights.reshape(logits.shape)
        losses *= weights
        dz *= weights
    if denom != 1:
        dz /= denom
    return float(losses.sum()) / denom, dz


def mse_loss(pred, target, *, reduction="mean"):
    """Mean (or sum) of squared errors (pred - target)^2."""
    check_float("pred", pred)
    target = np.asarray(target)
    check_shape("target", target, pred.shape)
    _, denom = _weights(None, pred.shape, pred.dtype, reduction)
    diff = pred - target
    dpred = 2 * diff                     # d/dpred (pred - target)^2
    return float((diff**2).sum()) / denom, (dpred / denom).astype(pred.dtype, copy=False)
