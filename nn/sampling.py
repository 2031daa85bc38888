"""Drawing the next token from a model's logits: temperature, top-k and top-p (nucleus)."""
import numpy as np

from nn.activations import softmax


def sample_logits(logits, rng, temperature=1.0, top_k=None, top_p=None):
    """One index per row of `logits` (N, V), drawn from softmax(logits / temperature).

    temperature 0 is greedy (argmax). top_k keeps the k highest logits of each row (all of
    those tied with the k-th); top_p keeps the fewest most probable tokens whose probability
    reaches p (Holtzman et al., 2020). rng: a numpy Generator.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, V), got {logits.shape}")
    if not temperature >= 0:   # NaN too
        raise ValueError(f"temperature must be at least 0, got {temperature}")
    if top_k is not None and top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], got {top_p}")
    if temperature == 0:
        return logits.argmax(axis=1)
    z = logits / temperature
    if top_k is not None and top_k < z.shape[1]:
        kth = np.partition(z, -top_k, axis=1)[:, -top_k, None]
        z[z < kth] = -np.inf
    probs = softmax(z, axis=1)
    if top_p is not None:
        order = np.argsort(-probs, axis=1, kind="stable")
        sorted_probs = np.take_along_axis(probs, order, axis=1)
        before = np.cumsum(sorted_probs, axis=1) - sorted_probs   # mass of the tokens ahead
        np.put_along_axis(probs, order, np.where(before < top_p, sorted_probs, 0), axis=1)
        probs /= probs.sum(axis=1, keepdims=True)
    u = rng.random((len(probs), 1))
    return np.minimum((np.cumsum(probs, axis=1) < u).sum(axis=1), probs.shape[1] - 1)
