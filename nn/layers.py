"""Feed-forward layers: `forward` returns (out, cache); `backward(dout, cache)` returns the
input gradient and adds the parameter gradients into `.grad`.

A cache holds references to the layer's inputs, not copies (copying every activation would
cost as much as the layer): do not modify an input in place between forward and backward.
The sparse gradients of the embedding layers likewise keep references to what they are
built from (the ids, `dy`, OutputEmbedding's `h`) until the optimizer's step.
"""
from typing import NamedTuple

import numpy as np

from nn.init import xavier_uniform
from nn.module import Module, Parameter
from nn.sparse import csr_matvecs
from nn.validate import check_float, check_index, check_shape


def matmul2d(x, W):
    """x (..., D) @ W (D, H) as one matrix product over all leading axes: NumPy runs a 3-D
    `x @ W` as one small product per leading index."""
    return (x.reshape(-1, x.shape[-1]) @ W).reshape(*x.shape[:-1], W.shape[1])


class LinearCache(NamedTuple):
    x: np.ndarray


class Linear(Module):
    """y = x W + b.   x: (..., D)  W: (D, H)  b: (H,)  y: (..., H)"""

    def __init__(self, D, H, *, bias=True, dtype=np.float32, rng=None):
        rng = np.random.default_rng(rng)
        self.W = Parameter(xavier_uniform(rng, D, H, dtype))
        self.b = Parameter(np.zeros(H, dtype)) if bias else None

    def forward(self, x):
        D, H = self.W.data.shape
        check_float("x", x, self.W.data.dtype, (..., D))
        y = matmul2d(x, self.W.data)
        if self.b is not None:
            y += self.b.data
        return y, LinearCache(x)

    def backward(self, dy, cache):
        D, H = self.W.data.shape
        check_float("dy", dy, self.W.data.dtype, (*cache.x.shape[:-1], H))
        x2, dy2 = cache.x.reshape(-1, D), dy.reshape(-1, H)
        self.W.grad += x2.T @ dy2           # dL/dW = x^T dy
        if self.b is not None:
            self.b.grad += dy2.sum(axis=0)  # dL/db = sum over rows of dy
        return matmul2d(dy, self.W.data.T)  # dL/dx = dy W^T

    def __repr__(self):
        D, H = self.W.data.shape
        return f"Linear({D}, {H})" if self.b is not None else f"Linear({D}, {H}, bias=False)"


class EmbeddingCache(NamedTuple):
    ids: np.ndarray
    mask: np.ndarray | None


class Embedding(Module):
    """y = W[ids].   ids: (...) int  W: (V, D)  y: (..., D)

    The gradient is sparse: backward records only the rows used, so a step over a batch
    costs O(batch x D) whatever the vocabulary size V. Its input is integer ids, which have
    no gradient: `backward` returns None, so an Embedding can only be a first layer.
    """

    def __init__(self, V, D, *, dtype=np.float32, rng=None, scale=None):
        rng = np.random.default_rng(rng)
        scale = 1.0 / np.sqrt(D) if scale is None else scale
        self.W = Parameter(uniform_table(rng, scale, (V, D), dtype), sparse=True)

    def __repr__(self):
        return table_repr(self)

    def forward(self, ids, mask=None):
        """mask: bool, ids' shape, False at padding: those positions give zeros and pass no
        gradient (PyTorch's padding_idx, by position rather than by id), so a ragged batch
        is looked up as one rectangle. Padding ids must still be valid rows (0, say)."""
        check_index("ids", ids, self.W.data.shape[0])
        y = np.take(self.W.data, ids, axis=0)   # 1.3-2.3x faster than W[ids] (NumPy 2.4)
        if mask is not None:
            check_shape("mask", mask, ids.shape)
            if mask.dtype != bool:
                raise TypeError(f"mask must be boolean, got dtype {mask.dtype}")
            y[~mask] = 0   # (250, 10, 100): 0.03 ms, against 0.18 for y *= mask[..., None]
        return y, EmbeddingCache(ids, mask)

    def backward(self, dy, cache):
        D = self.W.data.shape[1]
        check_float("dy", dy, self.W.data.dtype, (*cache.ids.shape, D))
        if cache.mask is None:
            self.W.grad.add(cache.ids, dy, copy=False)  # dW[i] = sum of dy where ids hold i
        else:                               # the same over the unmasked positions only
            self.W.grad.add(cache.ids[cache.mask], dy, copy=False,
                            cols=np.flatnonzero(cache.mask))
        return None


def table_repr(layer):
    """`Embedding(V, D)`: the class and its table's shape."""
    V, D = layer.W.data.shape
    return f"{type(layer).__name__}({V}, {D})"


def uniform_table(rng, scale, shape, dtype):
    """U(-scale, scale) drawn in `dtype` itself, in blocks of rows: a 2 M x 100 float32
    table (fastText's n-grams) takes 0.8 GB, not 1.6 more for float64 draws."""
    W = np.empty(shape, dtype)
    for start in range(0, shape[0], 1 << 16):
        block = W[start:start + (1 << 16)]
        block[...] = rng.uniform(-scale, scale, block.shape)
    return W


class EmbeddingBagCache(NamedTuple):
    ids: np.ndarray
    bags: np.ndarray   # the bag of each id
    N: int
    weights: np.ndarray | None
    counts: np.ndarray | None   # examples behind each id's gradient entry


class EmbeddingBag(Embedding):
    """y[n] = the sum of W[ids[j]] over the j of bag n (PyTorch's EmbeddingBag, mode "sum"),
    each times weights[j] if given (PyTorch's per_sample_weights).

    ids: (P,) int, the bags one after another;  offsets: (N,) int, where each bag starts in
    ids (ascending, from 0; an empty bag sums to 0);  weights: (P,) or None;  y: (N, D).
    counts: (N,) or None, the examples each bag's gradient sums (SparseGrad's counts, which
    an optimizer capping a row's updates per step counts); 1 each by default.
    A sparse product: the (P, D) rows are not gathered, and in backward each bag's gradient
    row is recorded once; plain SGD scatters it to the bag's ids without repeating it
    (optimizers that coalesce the gradient expand it). Takes offsets besides ids, so it
    cannot sit inside a Sequential.
    """

    def forward(self, ids, offsets, weights=None, counts=None):
        V, D = self.W.data.shape
        check_index("ids", ids, V)
        ids = np.asarray(ids, np.int64).ravel()
        offsets = np.asarray(offsets, np.int64)
        indptr = np.r_[offsets, len(ids)]
        sizes = np.diff(indptr)
        if offsets.ndim != 1 or (offsets[:1] != 0).any() or (sizes < 0).any() or (
                len(offsets) == 0 and len(ids)):
            raise ValueError("offsets must be ascending bag starts in ids, the first 0")
        N = len(offsets)
        y = np.zeros((N, D), self.W.data.dtype)
        if weights is not None:
            weights = np.asarray(weights, y.dtype).ravel()
            check_shape("weights", weights, ids.shape)
        csr_matvecs(N, V, D, indptr, ids, np.ones(len(ids), y.dtype) if weights is None else
                    weights, self.W.data.ravel(), y.ravel())
        bags = np.repeat(np.arange(N), sizes)
        examples = None if counts is None else np.asarray(counts)[bags]
        return y, EmbeddingBagCache(ids, bags, N, weights, examples)

    def backward(self, dy, cache):
        check_float("dy", dy, self.W.data.dtype, (cache.N, self.W.data.shape[1]))
        self.W.grad.add(cache.ids, dy, copy=False, cols=cache.bags,   # dW[ids[j]] +=
                        weights=cache.weights, counts=cache.counts)  # weights[j] dy[bag j]
        return None


class OutputEmbeddingCache(NamedTuple):
    h: np.ndarray
    rows: np.ndarray | None
    W_rows: np.ndarray | None


class OutputEmbedding(Module):
    """Scores of input vectors against rows of an output table: the output layer of word2vec
    for all three objectives, one (V, D) layout whichever is used.

        rows (N, K) int:  scores[n, m, k] = W[rows[n, k]] . h[n, m]   (rows per example: its
                          target and negatives, or the nodes of its padded Huffman path;
                          the M inputs of an example share them, as a skip-gram window
                          shares its centre's negatives, Ji et al. 2016)
        rows (K,) int:    scores[..., k] = W[rows[k]] . h[...]        (one set of rows for
                          the whole batch)
        rows None:        scores = h W^T, every row                   (the exact softmax)

    h: (N, D) or (N, M, D)   W: (V, D)   scores: (N, K), (N, M, K), or (..., V) for None.
    Every case is a matrix product, batched over N for per-example rows. The gradient of W
    is sparse (only the rows scored), as for an Embedding.
    """

    def __init__(self, V, D, *, dtype=np.float32, rng=None, scale=0.0):
        rng = np.random.default_rng(rng)
        W = rng.uniform(-scale, scale, (V, D)).astype(dtype) if scale else np.zeros((V, D), dtype)
        self.W = Parameter(W, sparse=True)

    def __repr__(self):
        return table_repr(self)

    def forward(self, h, rows=None):
        V, D = self.W.data.shape
        check_float("h", h, self.W.data.dtype, (..., D))
        if rows is None:
            return h @ self.W.data.T, OutputEmbeddingCache(h, None, None)
        check_index("rows", rows, V)
        W_rows = np.take(self.W.data, rows, axis=0)                 # (K, D) or (N, K, D)
        if rows.ndim == 1:
            return h @ W_rows.T, OutputEmbeddingCache(h, rows, W_rows)
        if rows.ndim != 2 or h.ndim not in (2, 3) or rows.shape[0] != h.shape[0]:
            raise ValueError(f"rows of shape (N, K) need h of shape (N, D) or (N, M, D) with "
                             f"the same N; got rows {rows.shape} and h {h.shape}")
        scores = np.matmul(_with_m(h), W_rows.transpose(0, 2, 1))  # (N, M, K)
        return scores.reshape(*h.shape[:-1], -1), OutputEmbeddingCache(h, rows, W_rows)

    def backward(self, dscores, cache, counts=None, out=None):
        """counts: for rows (N, K) only, (N, K) ints: how many of example n's inputs the
        gradient of score (n, k) sums, that is its loss's mask summed over the inputs (and
        dscores must be 0 where that mask is False). They become the counts of W's gradient
        entries (`SparseGrad.add`), so that an optimizer capping a row's updates per step
        counts each input as an example. An (n, k) of count 0 (the padding of a Huffman
        path) gets no entry, so that it neither adds to a row's count under a cap nor moves
        a row under an optimizer with a state per row (Adam, momentum). Without `counts`,
        each entry counts once. The gradients of rows None (every row) and (K,) (rows
        shared by the batch) are one entry per row, counted once whatever the batch: not
        capped. Bool counts are 0/1: right for one input per example (h (N, D)), refused for
        h (N, M, D). out: an array of h's shape to write dh into (a slice of a larger one)."""
        h, rows, W_rows = cache
        V, D = self.W.data.shape
        K = V if rows is None else rows.shape[-1]
        check_float("dscores", dscores, self.W.data.dtype, (*h.shape[:-1], K))
        if counts is not None:
            if rows is None or rows.ndim == 1:
                raise ValueError("counts apply to rows (N, K) only")
            check_shape("counts", counts, rows.shape)
            if h.ndim == 3 and np.asarray(counts).dtype == bool:
                raise TypeError("counts must be ints (inputs per score) for h (N, M, D)")
        if rows is None or rows.ndim == 1:
            W = self.W.data if rows is None else W_rows
            ds2, h2 = dscores.reshape(-1, K), h.reshape(-1, D)
            self.W.grad.add(np.arange(V) if rows is None else rows, ds2.T @ h2,  # dW = ds^T h
                            copy=False)
            return np.matmul(dscores, W, out=out)                                 # dh = ds W
        if h.ndim == 2:   # one input per example: dW[r_nk] += ds_nk h_n, as a sparse product
            if counts is None:
                self.W.grad.add(rows, h, copy=False, cols=np.repeat(np.arange(len(h)), K),
                                weights=dscores)
            else:
                n, k = np.nonzero(counts)
                self.W.grad.add(rows[n, k], h, copy=False, cols=n, weights=dscores[n, k],
                                counts=counts[n, k])
            out = None if out is None else out[:, None, :]
            return np.matmul(dscores[:, None, :], W_rows, out=out)[:, 0]  # dh = sum_k ds W[r]
        dW = np.matmul(dscores.transpose(0, 2, 1), h)                      # dW[r_nk] += ds h
        if counts is None:
            self.W.grad.add(rows, dW, copy=False)
        else:   # leaving out Huffman paths' padding: skip-gram 2-4% faster
            counts = np.asarray(counts).ravel()
            used = np.flatnonzero(counts)
            self.W.grad.add(rows.ravel()[used], dW, copy=False, cols=used, counts=counts[used])
        return np.matmul(dscores, W_rows, out=out)                        # dh_nm = ds W[r_nk]


def _with_m(x):
    """(N, D) as (N, 1, D); (N, M, D) unchanged."""
    return x[:, None, :] if x.ndim == 2 else x


WORDS_64 = (np.random.PCG64, np.random.PCG64DXSM, np.random.Philox, np.random.SFC64)


def _random_uint16(rng, n):
    """n random uint16 from a Generator: raw words where they are 64 random bits (MT19937's
    are 32 bits in 64), else `rng.bytes`."""
    if isinstance(rng.bit_generator, WORDS_64):
        return rng.bit_generator.random_raw(-(-n // 4)).view(np.uint16)[:n]
    return np.frombuffer(rng.bytes(2 * n), np.uint16)


class DropoutCache(NamedTuple):
    keep: np.ndarray | None    # bool, True where the input passes
    scale: float


class Dropout(Module):
    """Inverted dropout: in training, each element is zeroed with probability p and the rest
    scaled by 1 / (1 - p), so evaluation (`eval()`) is the identity with no rescaling.

    The mask compares 16 random bits per element with p * 65536 (p rounded to a multiple of
    1/65536), taken as raw 64-bit words from generators that make them (NumPy's default
    PCG64 among them): cheaper than `rng.bytes` or a float per element. rng: a seed or a
    `numpy.random.Generator`; pass the model's own generator to make the masks part of its
    reproducible random state.
    """

    def __init__(self, p, *, rng=None):
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1), got {p}")
        self.p, self.rng = p, np.random.default_rng(rng)

    def __repr__(self):
        return f"Dropout({self.p})"

    def forward(self, x):
        if not self.training or self.p == 0:
            return x, DropoutCache(None, 1.0)
        bits = _random_uint16(self.rng, x.size).reshape(x.shape)
        drop = round(self.p * 65536)              # p as drawn: drop / 65536
        scale = 65536 / (65536 - drop)
        keep = bits >= drop
        return self._apply(x, keep, scale), DropoutCache(keep, scale)

    def backward(self, dy, cache):
        if cache.keep is None:
            return dy
        return self._apply(dy, cache.keep, cache.scale)   # y = x keep scale => dx = dy keep scale

    @staticmethod
    def _apply(x, keep, scale):
        y = np.multiply(x, keep)
        y *= x.dtype.type(scale)
        return y
