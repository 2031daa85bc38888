"""fastText's subwords: a word's input vector is the mean of its own row and of the rows of
its character n-grams, hashed into `buckets` rows shared by all words, so that a word never
seen in training still gets a vector from its n-grams (Bojanowski et al., 2017).

The n-grams of a word are those of "<word>" from `minn` to `maxn` characters (the lone "<"
and ">" left out), each hashed with fastText's FNV-1a over its UTF-8 bytes (every byte
sign-extended first, as fastText's `int8_t` cast does), modulo `buckets`: the same bucket ids
as fastText and gensim, so their tables read here. They are computed once per vocabulary, as
a sparse (V, V + buckets) matrix of mean weights; a batch's input vectors are then one
sparse product with the table (`nn.EmbeddingBag` with weights).
"""
from typing import NamedTuple

import numpy as np

FNV_OFFSET, FNV_PRIME = 2166136261, 16777619
EOS = "</s>"   # fastText's end-of-line word: its own row only, no n-grams


def fasttext_hash(data):
    """fastText's hash of a byte string (a uint32), one byte at a time: the reference the
    vectorised `_hashes` is tested against."""
    h = FNV_OFFSET
    for byte in data:
        signed = (byte - 256 if byte > 127 else byte) & 0xFFFFFFFF
        h = ((h ^ signed) * FNV_PRIME) & 0xFFFFFFFF
    return h


def ngrams(word, minn, maxn):
    """The UTF-8 n-grams of "<word>", n from minn to maxn characters, in fastText's order (by
    start, then length)."""
    chars = "<" + word + ">"
    return [chars[i:i + n].encode() for i in range(len(chars))
            for n in range(minn, maxn + 1)
            if i + n <= len(chars) and not (n == 1 and (i == 0 or i + n == len(chars)))]


def _hashes(grams):
    """fastText's hash of each byte string, vectorised over them: uint32 (n,)."""
    lengths = np.fromiter(map(len, grams), np.int64, len(grams))
    data = np.frombuffer(b"".join(grams), np.int8).astype(np.int64) & 0xFFFFFFFF
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    h = np.full(len(grams), FNV_OFFSET, np.uint64)
    for k in range(int(lengths.max(initial=0))):
        live = np.flatnonzero(lengths > k)
        h[live] = ((h[live] ^ data[starts[live] + k].astype(np.uint64)) * FNV_PRIME) \
            & 0xFFFFFFFF
    return h


def bucket_ids(words, minn, maxn, buckets):
    """(indptr, ids): the buckets of each word's n-grams, word w's at ids[indptr[w]:indptr[w
    + 1]], a repeated n-gram counted each time, as in fastText (EOS has none)."""
    if maxn < minn or buckets == 0:
        return np.zeros(len(words) + 1, np.int64), np.zeros(0, np.int64)
    grams = [[] if w == EOS else ngrams(w, minn, maxn) for w in words]
    indptr = np.r_[0, np.cumsum([len(g) for g in grams])].astype(np.int64)
    flat = [g for word in grams for g in word]
    return indptr, (_hashes(flat) % buckets).astype(np.int64)


class Subwords(NamedTuple):
    """Each vocabulary word's input rows as a sparse row over the (V + buckets) table: its
    own row w and its n-grams' rows V + bucket, with weights 1 / their number (the mean)."""

    indptr: np.ndarray   # (V + 1,)
    rows: np.ndarray     # (nnz,) int64
    weights: np.ndarray  # (nnz,) float32

    @classmethod
    def of(cls, words, minn, maxn, buckets):
        V = len(words)
        indptr, ids = bucket_ids(words, minn, maxn, buckets)
        per_word = np.diff(indptr) + 1
        rows = np.empty(len(ids) + V, np.int64)
        starts = indptr[:-1] + np.arange(V)
        rows[starts] = np.arange(V)
        rest = np.ones(len(rows), bool)
        rest[starts] = False
        rows[rest] = V + ids
        weights = np.repeat(1 / per_word, per_word).astype(np.float32)
        return cls(np.r_[0, np.cumsum(per_word)], rows, weights)

    def bags(self, words):
        """(rows, offsets, weights) for nn.EmbeddingBag: one bag per word of `words` (any
        shape, flattened), holding its rows."""
        words = np.asarray(words, np.int64).ravel()
        lengths = self.indptr[words + 1] - self.indptr[words]
        offsets = np.r_[0, np.cumsum(lengths)[:-1]]
        at = np.repeat(self.indptr[words] - offsets, lengths) + np.arange(lengths.sum())
        return self.rows[at], offsets, self.weights[at]

    def word_vectors(self, table):
        """The (V, D) input vectors of the vocabulary: each word's mean of rows."""
        from scipy.sparse import csr_matrix

        V = len(self.indptr) - 1
        mean = csr_matrix((self.weights, self.rows, self.indptr), shape=(V, len(table)))
        return np.asarray(mean @ table, dtype=table.dtype)
