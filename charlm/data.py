"""A text as character ids, cut for training: a train/validation split by position (as
char-rnn), and parallel streams read window by window for truncated backpropagation."""
from typing import NamedTuple

import numpy as np

from corpora import CharVocab, load_chars
from npnlp.errors import UserError


class Text(NamedTuple):
    vocab: CharVocab
    train: np.ndarray   # int32 ids, memory-mapped from the cache when it came from a file
    val: np.ndarray


def load_text(source, val_fraction, progress=False, cache=True, base=None):
    """The characters of `source` (file, folder or '-'), read through `corpora`'s streamed,
    character path (cached unless `cache` is false), and split: the last `val_fraction` of
    it for validation. base: a CharVocab (of a model to fine-tune) whose characters the
    vocabulary keeps, with the text's own added."""
    corpus = load_chars(source, cache=cache, progress=progress)
    vocab = CharVocab(set(corpus.chars) | set(base.chars)) if base else CharVocab(corpus.chars)
    ids = corpus.encode(vocab)
    if len(vocab) < 2:
        raise UserError(f"{source} holds {len(vocab)} distinct character: there is nothing "
                        f"to learn")
    cut = len(ids) - int(len(ids) * val_fraction)
    return Text(vocab, ids[:cut], ids[cut:])


def streams(ids, batch, seq_len, what="the text"):
    """`ids` cut into `batch` contiguous streams of equal length, as an (N, L) view; the
    remainder is dropped. Needs at least one window, batch x (seq_len + 1) characters."""
    needed = batch * (seq_len + 1)
    if len(ids) < needed:
        raise UserError(f"{what} has {len(ids):,} characters; one window of {batch} "
                        f"streams of {seq_len} + 1 needs {needed:,} (lower --batch or "
                        f"--seq-len)")
    length = len(ids) // batch
    return np.asarray(ids[:batch * length]).reshape(batch, length)


def window(stream, i, seq_len):
    """Inputs and targets of window i of (N, L) streams: (T, N) ids, time first as the model
    reads them, and the (T, N) ids that follow them."""
    start = i * seq_len
    chunk = np.asarray(stream[:, start:start + seq_len + 1].T, dtype=np.int64, order="C")
    return chunk[:-1], chunk[1:]


def n_windows(stream, seq_len):
    return (stream.shape[1] - 1) // seq_len
