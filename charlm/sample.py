"""Generating text from a character model: temperature, top-k, top-p, priming."""
import numpy as np

import nn
from npnlp.errors import UserError


def generate(model, vocab, length, temperature=1.0, top_k=None, top_p=None, prime="",
             seed=None, stop=None):
    """An iterator of `length` generated characters, one by one, after the model has read
    `prime` (which is not repeated), ending early after `stop` (a string) is generated.

    The model reads the prime after a newline when the vocabulary has one (where texts and
    speeches begin): from a bare zero state, which training meets only once an epoch, a
    model of tiny Shakespeare read "ROMEO:" as noise and sampled "Z3Z..." where after
    "\nROMEO:" it expects a new line. Without a prime it starts after that newline, or from
    a uniformly drawn character. temperature 0 is greedy. seed: the same seed gives the
    same text. The settings are checked at the call, before the first character.
    """
    _check(vocab, length, temperature, top_p, prime)
    return _one(_draws(model, vocab, 1, length, temperature, top_k, top_p, prime, seed), stop)


def samples(model, vocab, n, length, temperature=1.0, top_k=None, top_p=None, prime="",
            seed=None, stop=None):
    """`n` texts generated as `generate` does (each cut after its first `stop`), drawn
    together as n streams of one batched pass: a list of str."""
    _check(vocab, length, temperature, top_p, prime)
    texts, done = [""] * n, [False] * n
    for chars in _draws(model, vocab, n, length, temperature, top_k, top_p, prime, seed):
        for i, char in enumerate(chars):
            if not done[i]:
                texts[i] += char
                done[i] = stop is not None and texts[i].endswith(stop)
        if all(done):
            break
    return texts


def _check(vocab, length, temperature, top_p, prime):
    if length < 0:
        raise UserError(f"length must be at least 0, not {length}")
    if not temperature >= 0:   # NaN too
        raise UserError(f"temperature must be a number of at least 0, not {temperature}")
    if top_p is not None and not 0 < top_p <= 1:
        raise UserError(f"top-p must be a number in (0, 1], not {top_p}")
    check_prime(vocab, prime)


def _one(draws, stop):
    """The characters of a single stream's draws, up to and including `stop`."""
    tail = ""   # the last len(stop) characters: all a stop needs
    for char in draws:
        yield char
        if stop is not None:
            tail = (tail + char)[-len(stop):]
            if tail == stop:
                return


def _draws(model, vocab, n, length, temperature, top_k, top_p, prime, seed):
    """For each of `length` steps, the n characters the n streams draw."""
    rng = np.random.default_rng(seed)
    model.eval()
    newline = "\n" if "\n" in vocab else ""
    if prime:
        start = prime if prime.startswith("\n") else newline + prime
    else:
        start = newline or vocab.chars[rng.integers(len(vocab))]
    state = None
    if len(start) > 1:
        ids = vocab.encode(start[:-1])[:, None].astype(np.int64).repeat(n, axis=1)
        _, state, _ = model.forward(ids)
    current = vocab.encode(start[-1:]).astype(np.int64).repeat(n)
    for _ in range(length):
        logits, state = model.step(current, state)
        current = nn.sample_logits(logits, rng, temperature, top_k, top_p)
        yield vocab.decode(current)   # a str of n characters, one a stream


def check_prime(vocab, prime):
    """UserError naming the characters of `prime` the model never saw."""
    unknown = sorted(set(prime) - set(vocab.chars))
    if unknown:
        raise UserError(f"the prime text has characters the model never saw: "
                        f"{''.join(unknown)!r}")
