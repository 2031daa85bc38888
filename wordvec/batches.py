"""From a corpus of word ids to training examples, as word2vec.c draws them: frequent words
subsampled, a window of random width around each centre word, noise words from the unigram
distribution raised to 3/4. Everything is drawn from a generator the caller seeds, block by
block, so a run can stop at any block and resume to the same result."""
from typing import NamedTuple

import numpy as np

MAX_SENTENCE = 10_000   # longer sentences (a corpus without line breaks) are cut, as gensim
BLOCK_TOKENS = 50_000   # tokens per block: whole sentences, subsampled and windowed at once
MIN_BLOCKS = 64         # blocks a corpus is cut in at least, for its workers to share
MIN_BLOCK_TOKENS = 1000
MIN_THRESHOLD = 10      # occurrences: subsampling's threshold in a small corpus


def keep_probabilities(counts, sample):
    """word2vec.c's chance of keeping each occurrence of a word of count c:
    (sqrt(c / t) + 1) t / c with t = sample x (total count), capped at 1; all 1 if sample
    is 0. Words much more frequent than t are kept about sqrt(t / c) of the time.

    t is at least MIN_THRESHOLD occurrences, so that a corpus of a few thousand words is
    not thinned to nothing."""
    counts = np.asarray(counts, dtype=np.float64)
    if sample == 0:
        return np.ones_like(counts)
    t = max(sample * counts.sum(), MIN_THRESHOLD)
    return np.minimum((np.sqrt(counts / t) + 1) * t / counts, 1.0)


class AliasTable(NamedTuple):
    """Walker's alias method: draw a column uniformly, keep it with probability `prob`,
    else take its `alias`. O(1) a draw whatever the vocabulary size."""

    prob: np.ndarray    # (V,) float64
    alias: np.ndarray   # (V,) int64


def noise_distribution(counts, power=0.75):
    """The distribution of negative words: counts ** power, 0.75 as word2vec.c's unigram table
    (exactly, rather than from a 10^8-entry table), as an AliasTable (Vose's construction)."""
    p = np.asarray(counts, dtype=np.float64) ** power
    p *= len(p) / p.sum()
    prob, alias = np.ones(len(p)), np.arange(len(p))
    small, large = list(np.flatnonzero(p < 1)), list(np.flatnonzero(p >= 1))
    while small and large:
        s, g = small.pop(), large[-1]
        prob[s], alias[s] = p[s], g
        p[g] -= 1 - p[s]
        if p[g] < 1:
            small.append(large.pop())
    return AliasTable(prob, alias)


def draw(table, rng, shape):
    """Word ids drawn from an AliasTable."""
    column = rng.integers(0, len(table.prob), shape)
    return np.where(rng.random(shape) < table.prob[column], column, table.alias[column])


def block_size(offsets):
    """Tokens per block: BLOCK_TOKENS, or fewer in a small corpus, so that it has MIN_BLOCKS
    for the workers to share (but at least MIN_BLOCK_TOKENS)."""
    return min(BLOCK_TOKENS, max(MIN_BLOCK_TOKENS, int(offsets[-1]) // MIN_BLOCKS))


def blocks(offsets, max_sentence=MAX_SENTENCE, block_tokens=None):
    """Cut the corpus into blocks of whole sentences of about `block_tokens` tokens (default
    `block_size`): a list of sentence-start arrays, each block's starts followed by its end
    (token positions). Sentences longer than `max_sentence` are first cut into pieces of
    that length."""
    if block_tokens is None:
        block_tokens = block_size(offsets)
    offsets = np.asarray(offsets, np.int64)
    pieces = -(-np.diff(offsets) // max_sentence)             # an empty sentence has none
    first_piece = np.repeat(np.cumsum(pieces) - pieces, pieces)
    starts = np.repeat(offsets[:-1], pieces) + \
        (np.arange(len(first_piece)) - first_piece) * max_sentence
    starts = np.concatenate([starts, offsets[-1:]])
    result, first = [], 0
    while first < len(starts) - 1:
        last = int(np.searchsorted(starts, starts[first] + block_tokens, side="right")) - 1
        last = min(max(last, first + 1), len(starts) - 1)
        result.append(starts[first:last + 1])
        first = last
    return result


class Windows(NamedTuple):
    centres: np.ndarray    # (n,) word ids
    contexts: np.ndarray   # (n, 2 window) word ids, 0 where masked
    mask: np.ndarray       # (n, 2 window) bool: a real context word


def windows(ids, sentence_starts, keep, window, rng):
    """The centre words of a block and their contexts.

    ids: the block's word ids; sentence_starts: offsets of its sentences (relative, last =
    len(ids)); keep: each word's keep probability. Words are subsampled first and windows
    taken over what is kept, within a sentence, each centre with a width drawn uniformly
    from 1..window (word2vec.c's `b`). Centres left with no context are dropped.
    """
    lengths = np.diff(sentence_starts)
    sentence = np.repeat(np.arange(len(lengths)), lengths)
    kept = rng.random(len(ids)) < keep[ids]
    ids, sentence = ids[kept], sentence[kept]
    n = len(ids)
    width = rng.integers(1, window + 1, n)
    bounds = np.r_[0, np.cumsum(np.bincount(sentence, minlength=len(lengths)))]
    i = np.arange(n)
    lo = np.maximum(bounds[sentence] - i, -width)         # the offsets from lo to hi are in
    hi = np.minimum(bounds[sentence + 1] - 1 - i, width)   # both the sentence and the window
    has_context = (lo < 0) | (hi > 0)
    i, lo, hi = i[has_context], lo[has_context], hi[has_context]
    # built as (2 window, n), transposed at the end: 2.1x faster than (n, 2 window) arrays,
    # whose rows are too short for NumPy's inner loops (5.1 -> 2.4 ms a 50k-token block)
    offsets = np.r_[-window:0, 1:window + 1][:, None]
    mask = (offsets >= lo) & (offsets <= hi)
    padding = np.zeros(window, ids.dtype)
    contexts = np.r_[padding, ids, padding][i + window + offsets]
    contexts *= mask
    return Windows(ids[i], np.ascontiguousarray(contexts.T), np.ascontiguousarray(mask.T))


def steps(block, size, by_count=True):
    """A block's Windows cut into steps of `size` centres, each step's (n, 2 window) arrays
    without the columns that none of its windows use.

    by_count: first order the centres by their number of context words, so that narrow
    windows share narrow steps and skip-gram's padded scoring shrinks. A step's updates are
    summed, so the order only changes which centres share one; ordered runs score as well
    and run faster (docs/performance.md).
    """
    if by_count:
        order = np.argsort(block.mask.sum(axis=1), kind="stable")
        block = Windows(*(a[order] for a in block))
    for start in range(0, len(block.centres), size):
        centres, contexts, mask = (a[start:start + size] for a in block)
        used = mask.any(axis=0)
        yield Windows(centres, contexts[:, used], mask[:, used])
