"""Losses. Each returns (loss, gradient with respect to its first argument): the loss is
where backpropagation starts, so there is no cache to keep."""
import numpy as np
from scipy.special import log_expit

from nn.activations import sigmoid
from nn.checks import check_float, check_index, check_shape

REDUCTIONS = ("mean", "sum")


def _check_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")


def softmax_cross_entropy(logits, targets, *, reduction="mean", mask=None):
    """-log softmax(logits)[target], from logits via a stable log-sum-exp.

    logits: (..., V) float   targets: (...) int in [0, V)   mask: (...) bool, True = counted.
    With reduction="mean" the loss is averaged over the counted positions.
    """
    check_float("logits", logits)
    _check_reduction(reduction)
    V = logits.shape[-1]
    check_index("targets", targets, V, logits.shape[:-1])
    z = logits.reshape(-1, V)
    t = targets.ravel()
    weights = np.ones(len(t), logits.dtype)
    if mask is not None:
        check_shape("mask", np.asarray(mask), logits.shape[:-1])
        weights = np.asarray(mask, logits.dtype).ravel()

    shifted = z - z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(t))
    nll = -log_probs[rows, t]
    denom = max(weights.sum(), 1) if reduction == "mean" else 1
    loss = float(nll @ weights) / denom

    dz = np.exp(log_probs)
    dz[rows, t] -= 1                      # d(-log p_t)/dz = softmax(z) - onehot(t)
    dz *= (weights / denom)[:, None]
    return loss, dz.reshape(logits.shape)


def logistic_loss(logits, labels, *, reduction="mean"):
    """Binary cross-entropy -[y log s(z) + (1 - y) log s(-z)] from logits z, labels y in [0, 1]:
    the loss of negative sampling. Stable for any z (log_expit never overflows)."""
    check_float("logits", logits)
    _check_reduction(reduction)
    labels = np.asarray(labels)
    check_shape("labels", labels, logits.shape)
    y = labels.astype(logits.dtype)
    loss = -(y * log_expit(logits) + (1 - y) * log_expit(-logits)).sum()
    dz = sigmoid(logits) - y               # d/dz = sigmoid(z) - y
    if reduction == "mean":
        loss, dz = loss / logits.size, dz / logits.size
    return float(loss), dz.astype(logits.dtype, copy=False)


def mse_loss(pred, target, *, reduction="mean"):
    """Mean (or sum) of squared errors (pred - target)^2."""
    check_float("pred", pred)
    _check_reduction(reduction)
    target = np.asarray(target)
    check_shape("target", target, pred.shape)
    diff = pred - target
    loss = float((diff**2).sum())
    dpred = 2 * diff                     # d/dpred (pred - target)^2
    if reduction == "mean":
        loss, dpred = loss / pred.size, dpred / pred.size
    return loss, dpred.astype(pred.dtype, copy=False)
