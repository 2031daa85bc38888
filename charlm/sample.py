"""Generating text from a character model: temperature, top-k, top-p, priming."""
import numpy as np

import nn
from npnlp.errors import UserError


def generate(model, vocab, length, temperature=1.0, top_k=None, top_p=None, prime="",
             seed=None):
    """Yield `length` generated characters one by one, after the model has read `prime`
    (which is not repeated).

    The model reads the prime after a newline when the vocabulary has one (where texts and
    speeches begin): from a bare zero state, which training meets only once an epoch, a
    model of tiny Shakespeare read "ROMEO:" as noise and sampled "Z3Z..." where after
    "\nROMEO:" it expects a new line. Without a prime it starts after that newline, or from
    a uniformly drawn character. temperature 0 is greedy. seed: the same seed gives the
    same text.
    """
    if length < 0:
        raise UserError(f"length must be at least 0, not {length}")
    check_prime(vocab, prime)
    rng = np.random.default_rng(seed)
    model.eval()
    newline = "\n" if "\n" in vocab else ""
    if prime:
        start = prime if prime.startswith("\n") else newline + prime
    else:
        start = newline or vocab.chars[rng.integers(len(vocab))]
    state = None
    if len(start) > 1:
        _, state, _ = model.forward(vocab.encode(start[:-1])[:, None].astype(np.int64))
    current = vocab.encode(start[-1:]).astype(np.int64)
    for _ in range(length):
        logits, state = model.step(current, state)
        current = nn.sample_logits(logits, rng, temperature, top_k, top_p)
        yield vocab.decode(current)


def check_prime(vocab, prime):
    """UserError naming the characters of `prime` the model never saw."""
    unknown = sorted(set(prime) - set(vocab.chars))
    if unknown:
        raise UserError(f"the prime text has characters the model never saw: "
                        f"{''.join(unknown)!r}")
