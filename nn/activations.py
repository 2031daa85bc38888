"""Element-wise activations and the softmax, numerically stable for inputs of any size.

`sigmoid`, `softmax` and `log_softmax` are plain functions (the recurrent cells and sampling
use them); `Sigmoid`, `Tanh` and `ReLU` are layers with forward/backward.
"""
from typing import NamedTuple

import numpy as np

from nn.module import Module


def sigmoid(x):
    """1 / (1 + exp(-x)), within 2 ulp of the exact value in float32 over both tails.

    exp(-x) overflows to inf below x = -88 (float32), where 1 / inf = 0 is the correctly
    rounded result, so the overflow warning is silenced.
    """
    y = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


def log_softmax(logits, axis=-1):
    """log softmax(logits) along `axis`, by a log-sum-exp shifted by the maximum."""
    shifted = logits - logits.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def softmax(logits, axis=-1):
    """exp(logits) normalised along `axis`, shifted by the maximum so it never overflows."""
    e = logits - logits.max(axis=axis, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


class ActivationCache(NamedTuple):
    y: np.ndarray


class Sigmoid(Module):
    def forward(self, x):
        y = sigmoid(x)
        return y, ActivationCache(y)

    def backward(self, dy, cache):
        return dy * cache.y * (1 - cache.y)   # sigma' = sigma (1 - sigma)


class Tanh(Module):
    def forward(self, x):
        y = np.tanh(x)
        return y, ActivationCache(y)

    def backward(self, dy, cache):
        return dy * (1 - cache.y**2)          # tanh' = 1 - tanh^2


class ReLU(Module):
    def forward(self, x):
        y = np.maximum(x, 0)
        return y, ActivationCache(y)

    def backward(self, dy, cache):
        return dy * (cache.y > 0)             # relu' = 1 where x > 0
