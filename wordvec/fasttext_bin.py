"""fastText's own `.bin` models, read so that pretrained fastText vectors (cc.en.300.bin and
the like) and their unseen-word vectors work here, as gensim's `load_facebook_vectors`.

The file (fastText's `FastText::saveModel`, native byte order): int32 magic 793712314 and
version; the settings (int32 dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket,
minn, maxn, lrUpdateRate, float64 t; files before the magic existed start at epoch, dim and
ws in the magic's place); the dictionary (int32 size, nwords, nlabels; int64 ntokens,
pruneidx_size; per entry the word's bytes, a NUL, int64 count, int8 type; pruneidx_size int32
pairs); a bool quant flag, int64 rows, int64 dim and the float32 input matrix (nwords words
then bucket n-gram rows); then the output matrix, not needed for vectors.

The input matrix is memory-mapped: a 7 GB model opens without reading it whole.
"""
import os
import struct

import numpy as np

from npnlp.errors import UserError

MAGIC = 793712314
NEW_SETTINGS = "12id"   # dim ws epoch minCount neg wordNgrams loss model bucket minn maxn
                        # lrUpdateRate t
OLD_SETTINGS = "10id"   # epoch ... t: dim and ws stood where magic and version are


def is_fasttext_bin(path):
    """Whether `path` is a file starting with fastText's magic number."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == struct.pack("=i", MAGIC)
    except OSError:
        return False


def read_fasttext_bin(path, encoding="utf-8"):
    """(words, counts, input matrix (nwords + bucket, dim) memory-mapped, minn, maxn)."""
    with open(path, "rb") as f:
        def unpack(fmt):
            size = struct.calcsize("=" + fmt)
            data = f.read(size)
            if len(data) < size:
                raise UserError(f"{path} ends early: a truncated fastText model?")
            return struct.unpack("=" + fmt, data)

        magic, version = unpack("2i")
        if magic == MAGIC:
            dim, _ws, *_, bucket, minn, maxn, _lr, _t = unpack(NEW_SETTINGS)
        else:
            dim = magic
            *_, bucket, minn, maxn, _lr, _t = unpack(OLD_SETTINGS)
        size, nwords, nlabels = unpack("3i")
        if nlabels:
            raise UserError(f"{path} is a supervised fastText model (text classification, "
                            f"{nlabels} labels): it holds no word vectors to load")
        unpack("q")                                  # ntokens
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
        rows, columns = unpack("2q")
        offset = f.tell()
        if os.fstat(f.fileno()).st_size < offset + 4 * rows * columns:
            raise UserError(f"{path} ends early: a truncated fastText model?")
    if columns != dim or rows != nwords + bucket:
        raise UserError(f"{path}: an input matrix of {rows} x {columns}, where {nwords} words "
                        f"and {bucket} buckets of {dim} dimensions were announced")
    matrix = np.memmap(path, np.float32, "r", offset, (rows, columns))
    return words[:nwords], np.array(counts[:nwords], np.int64), matrix, minn, maxn
