"""fastText's own `.bin` models, read so that pretrained fastText vectors (cc.en.300.bin and
the like) and their unseen-word vectors work here, as gensim's `load_facebook_vectors`, and
written from a trained model, as gensim's `save_facebook_model`.

The file (fastText's `FastText::saveModel`, native byte order): int32 magic 793712314 and
version; the settings (int32 dim, ws, epoch, minCount, neg, wordNgrams, loss (hs 1, ns 2,
softmax 3), model (cbow 1, sg 2), bucket, minn, maxn, lrUpdateRate, float64 t; files before
the magic existed start at epoch, dim and ws in the magic's place); the dictionary (int32
size, nwords, nlabels; int64 ntokens, pruneidx_size, -1 when not pruned; per entry the
word's bytes, a NUL, int64 count, int8 type; pruneidx_size int32 pairs); a bool quant flag,
int64 rows, int64 dim and the float32 input matrix (nwords words then bucket n-gram rows); a
bool qout flag and the output matrix the same way (a row per word).

The input matrix is memory-mapped: a 7 GB model opens without reading it whole.
"""
import os
import struct
from typing import NamedTuple

import numpy as np

from npnlp.errors import UserError
from npnlp.files import atomic_write

MAGIC, VERSION = 793712314, 12
ARGS = ("dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "loss", "model", "bucket",
        "minn", "maxn", "lrUpdateRate", "t")
NEW_SETTINGS = "12id"   # ARGS
OLD_SETTINGS = "10id"   # ARGS from epoch: dim and ws stood where magic and version are
LOSSES = {"hierarchical": 1, "negative": 2, "softmax": 3}


class FastTextModel(NamedTuple):
    """What a fastText `.bin` holds: its settings by fastText's names (ARGS), the words, their
    counts, the number of tokens trained on, the input and output matrices."""

    args: dict
    words: list
    counts: np.ndarray
    ntokens: int
    input: np.ndarray    # (nwords + bucket, dim)
    output: np.ndarray   # (nwords, dim)


def is_fasttext_bin(path):
    """Whether `path` is a file starting with fastText's magic number."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == struct.pack("=i", MAGIC)
    except OSError:
        return False


def read_fasttext_bin(path, encoding="utf-8"):
    """(words, counts, input matrix (nwords + bucket, dim) memory-mapped, minn, maxn)."""
    m = _read(path, encoding, with_output=False)
    return m.words, m.counts, m.input, m.args["minn"], m.args["maxn"]


def read_fasttext_model(path, encoding="utf-8"):
    """The whole model, both matrices memory-mapped: what `write_fasttext_bin` writes back."""
    return _read(path, encoding, with_output=True)


def _read(path, encoding, with_output):
    with open(path, "rb") as f:
        def unpack(fmt):
            size = struct.calcsize("=" + fmt)
            data = f.read(size)
            if len(data) < size:
                raise UserError(f"{path} ends early: a truncated fastText model?")
            return struct.unpack("=" + fmt, data)

        magic, version = unpack("2i")
        if magic == MAGIC:
            args = dict(zip(ARGS, unpack(NEW_SETTINGS)))
        else:
            args = dict(zip(ARGS, (magic, version) + unpack(OLD_SETTINGS)))
        size, nwords, nlabels = unpack("3i")
        if nlabels:
            raise UserError(f"{path} is a supervised fastText model (text classification, "
                            f"{nlabels} labels): it holds no word vectors to load")
        ntokens = unpack("q")[0]
        pruned = unpack("q")[0] if magic == MAGIC else 0
        words, counts = [], []
        for _ in range(size):
            word = bytearray()
            while (byte := f.read(1)) not in (b"\0", b""):
                word += byte
            counts.append(unpack("qb")[0])
            words.append(word.decode(encoding, "backslashreplace"))
        if pruned > 0:
            raise UserError(f"{path} is a quantized or pruned fastText model (.ftz): its "
                            f"vectors are compressed; load the .bin")
        if magic == MAGIC and unpack("?")[0]:
            raise UserError(f"{path} is a quantized fastText model: load the full .bin")
        dim, bucket = args["dim"], args["bucket"]
        rows, columns = unpack("2q")
        if columns != dim or rows != nwords + bucket:
            raise UserError(f"{path}: an input matrix of {rows} x {columns}, where {nwords} "
                            f"words and {bucket} buckets of {dim} dimensions were announced")
        input_, output = _matrix(f, path, rows, columns), None
        if with_output:
            if magic == MAGIC:
                unpack("?")                          # qout: only a quantized model's
            output = _matrix(f, path, *unpack("2q"))
    return FastTextModel(args, words[:nwords], np.array(counts[:nwords], np.int64), ntokens,
                         input_, output)


def _matrix(f, path, rows, columns):
    """The (rows, columns) float32 matrix at f's position, memory-mapped; f moves past it."""
    offset = f.tell()
    if os.fstat(f.fileno()).st_size < offset + 4 * rows * columns:
        raise UserError(f"{path} ends early: a truncated fastText model?")
    f.seek(offset + 4 * rows * columns)
    return np.memmap(f.name, np.float32, "r", offset, (rows, columns))


def write_fasttext_bin(path, model, encoding="utf-8"):
    """Write a FastTextModel as fastText's `saveModel` does (a word model: no labels, neither
    quantized nor pruned), atomically."""
    a, V = model.args, len(model.words)
    if model.input.shape != (V + a["bucket"], a["dim"]) or model.output.shape != (V, a["dim"]):
        raise UserError(f"fastText needs an input matrix of {V} words + {a['bucket']} buckets "
                        f"and an output matrix of {V} rows, of {a['dim']} dimensions; got "
                        f"{model.input.shape} and {model.output.shape}")
    words = [w.encode(encoding) for w in model.words]
    if any(b"\0" in w for w in words):
        raise UserError("a word holds a NUL character, which ends words in fastText's format")
    with atomic_write(path, binary=True) as f:
        f.write(struct.pack("=2i" + NEW_SETTINGS, MAGIC, VERSION, *(a[n] for n in ARGS)))
        f.write(struct.pack("=3i2q", V, V, 0, model.ntokens, -1))
        f.write(b"".join(w + b"\0" + struct.pack("=qb", n, 0)
                         for w, n in zip(words, model.counts.tolist())))
        for matrix in (model.input, model.output):
            f.write(struct.pack("=?2q", False, *matrix.shape))
            for i in range(0, len(matrix), 1 << 16):
                f.write(memoryview(np.ascontiguousarray(matrix[i:i + (1 << 16)], np.float32)))


def save_facebook_model(model, path, encoding="utf-8", lr_update_rate=100, word_ngrams=1):
    """Write a trained `FastText` or `Word2Vec` (or its Word2VecNet) as a fastText `.bin` that
    fastText and gensim load, as gensim's function of this name. A word's vector stays the
    mean of its rows, so fastText gives the same vectors, unseen words' included. A model
    without n-grams is written as fastText writes `-maxn 0`: bucket 0, a word its own row."""
    write_fasttext_bin(path, fasttext_model(model, lr_update_rate, word_ngrams), encoding)


def fasttext_model(model, lr_update_rate=100, word_ngrams=1):
    """A trained model's tables and settings as fastText's (a FastTextModel).

    Hierarchical softmax: fastText builds word2vec.c's tree from the same counts but labels
    each branch with its code where word2vec.c (and this toolkit) labels it 1 - code, so its
    inner-node rows are ours negated; its output matrix has a row per word, the last unused.
    fastText trains one objective: a model of both is written with its negative sampling.
    """
    net = getattr(model, "net", model)
    if net is None:
        raise UserError("the model has no vocabulary yet: nothing to save")
    c, V = net.config, len(net.words)
    ngrams = net.subwords is not None
    output, loss = net.output.W.data, "negative" if c.negative_sampling else c.loss
    if loss == "hierarchical":
        output = np.vstack([-output, np.zeros((1, c.dim), output.dtype)])
    args = dict(dim=c.dim, ws=c.window, epoch=c.epochs, minCount=c.min_count,
                neg=c.negative if loss == "negative" else 0, wordNgrams=word_ngrams,
                loss=LOSSES[loss], model=2 if c.sg else 1,
                bucket=len(net.input.W.data) - V, minn=c.minn, maxn=c.maxn if ngrams else 0,
                lrUpdateRate=lr_update_rate, t=c.sample)
    ntokens = getattr(model, "corpus_total_words", 0) or int(net.counts.sum())
    return FastTextModel(args, net.words, np.asarray(net.counts, np.int64), ntokens,
                         net.input.W.data, output)
