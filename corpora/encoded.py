"""A corpus tokenized and encoded once, kept in a folder: `corpora encode` writes it, and
`wordvec train FOLDER` starts from it without reading text, here or on a Dask cluster whose
workers read their shards where the folder lies (storage they share).

The folder holds `vocab.txt`, every word of the corpus with its count in the toolkit's id
order (`Vocab.from_counts`); the token ids in shards of memory-mappable .npy files; and
`encoded.json`, written last, which says how the text was read. One folder serves every
--min-count and --max-vocab: a smaller vocabulary is the whole one's first V words, so its
corpus is the shards' ids below V (`load_shard`), as the text would have been encoded.
"""
import json
from dataclasses import asdict
from pathlib import Path

import numpy as np

from corpora.corpus import Encoded, drop_tokens, sentence_blocks
from corpora.read import ENCODED as META
from corpora.read import ReadStats
from corpora.tokenize import Tokenizer
from corpora.vocab import Vocab
from npnlp.errors import UserError
from npnlp.files import atomic_write, check_folder, check_output

FORMAT = 1
VOCAB = "vocab.txt"
SHARD_TOKENS = 1 << 24   # a shard of a corpus encoded here: 64 MB of ids


def is_encoded(path):
    """Whether `path` is a folder `save` wrote."""
    return isinstance(path, (str, Path)) and (Path(path) / META).is_file()


def check_target(folder, inputs=()):
    """Refuse, before any work, a `folder` to save into that is not new (or empty)."""
    folder = Path(folder)
    if folder.is_dir() and not folder.is_symlink():
        if any(folder.iterdir()):
            raise UserError(f"{folder} holds files (an encoded corpus, or one cut short?): "
                            f"name a new or empty folder")
        return check_folder(folder)
    check_output(folder, inputs)


def save(folder, vocab, tokenizer, tokens, stats, shards=None):
    """Finish `folder`: the whole `vocab`, then the metadata that marks it complete. Its shards
    are already there, or are the Encoded `shards` of a corpus read here (cut in sentences
    of about SHARD_TOKENS)."""
    folder = Path(folder)
    folder.mkdir(exist_ok=True)
    for n, (first, last) in enumerate(sentence_blocks(shards.offsets, SHARD_TOKENS)
                                      if shards is not None else ()):
        a, b = shards.offsets[first], shards.offsets[last]
        save_shard(Encoded(shards.ids[a:b], shards.offsets[first:last + 1] - a),
                   shard_prefix(folder, n))
    vocab.save(folder / VOCAB)
    with atomic_write(folder / META) as f:
        json.dump({"format": FORMAT, "tokenizer": tokenizer.key(), "tokens": int(tokens),
                   "stats": asdict(stats)}, f)


def load(folder):
    """(the Vocab of every word, the Tokenizer that read the text, shard prefixes in order,
    ReadStats) of a folder `save` wrote."""
    try:
        with open(Path(folder) / META, encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("format") != FORMAT:
            raise ValueError
        tokenizer, stats = Tokenizer(**json.loads(meta["tokenizer"])), ReadStats(**meta["stats"])
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{folder} is not a corpus `corpora encode` wrote (its {META} is "
                        f"unreadable)") from None
    prefixes = sorted(str(p.absolute()).removesuffix(".ids.npy")
                      for p in Path(folder).glob("shard-*.ids.npy"))
    return Vocab.load(Path(folder) / VOCAB), tokenizer, prefixes, stats


def shard_prefix(folder, n):
    return str(Path(folder).absolute() / f"shard-{n:05d}")


def save_shard(encoded, prefix):
    """Save an Encoded shard at `prefix`.ids.npy and .offsets.npy; return it read back
    memory-mapped."""
    Path(prefix).parent.mkdir(parents=True, exist_ok=True)
    for name in ("ids", "offsets"):
        with atomic_write(f"{prefix}.{name}.npy", binary=True) as f:
            np.save(f, getattr(encoded, name))
    return load_shard(prefix)


def load_shard(prefix, V=None):
    """The Encoded shard saved at `prefix`, memory-mapped; with V, in the vocabulary of the
    whole one's first V words: the other ids dropped, with the sentences that leaves empty,
    as `Corpus.encode` drops unknown words."""
    shard = Encoded(np.load(f"{prefix}.ids.npy", mmap_mode="r"),
                    np.load(f"{prefix}.offsets.npy", mmap_mode="r"))
    return shard if V is None else drop_tokens(shard.ids, shard.offsets, shard.ids >= V)


def concatenate(parts):
    """One Encoded of Encoded shards read one after the other."""
    starts = np.cumsum([0] + [len(p.ids) for p in parts])
    offsets = [p.offsets[1:] + start for p, start in zip(parts, starts)]
    return Encoded(np.concatenate([np.asarray(p.ids) for p in parts]).astype(np.int32),
                   np.concatenate([[0], *offsets]).astype(np.int64))
