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
from typing import NamedTuple

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
    if str(folder) == "-":
        raise UserError("encode writes a folder: give -o its path")
    if folder.is_symlink():
        raise UserError(f"refusing to write into {folder}: it is a symbolic link")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"refusing to replace {folder}: encode writes a folder, and it is not one")
    if folder.is_dir():
        if any(folder.iterdir()):
            raise UserError(f"{folder} holds files (an encoded corpus, or one cut short?): "
                            f"name a new or empty folder")
        return check_folder(folder)
    check_output(folder, inputs)


def remove(folder, new=True):
    """Remove what `save` writes into `folder` (an encode cut short), and the folder, if it
    is `new` and that leaves it empty."""
    folder = Path(folder)
    for path in [*folder.glob("shard-*.npy"), folder / VOCAB, folder / META]:
        path.unlink(missing_ok=True)
    if new:
        try:
            folder.rmdir()
        except OSError:
            pass


def save(folder, vocab, tokenizer, tokens, stats, shards=None, phrases=None):
    """Finish `folder`: the whole `vocab`, then the metadata that marks it complete (with the
    key of the Phrases `phrases` joined, if any). Its shards are already there, or are the
    Encoded `shards` of a corpus read here (cut in sentences of about SHARD_TOKENS)."""
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
                   "shards": len(list(folder.glob("shard-*.ids.npy"))),
                   "phrases": None if phrases is None else phrases.key(),
                   "stats": asdict(stats)}, f)


class Folder(NamedTuple):
    """What a folder `save` wrote holds."""

    path: str
    vocab: Vocab           # every word
    tokenizer: Tokenizer   # what read the text
    prefixes: list         # the shards', in order
    stats: ReadStats
    phrases: str | None    # the key of the Phrases joined, if any

    def __str__(self):
        return self.path


def load(folder):
    """The Folder of a folder `save` wrote. Raises UserError for a folder that is not whole:
    a shard or a word missing, or the metadata edited."""
    try:
        with open(Path(folder) / META, encoding="utf-8") as f:
            meta = json.load(f)
        if meta.get("format") != FORMAT:
            raise ValueError
        tokenizer, stats = Tokenizer(**json.loads(meta["tokenizer"])), ReadStats(**meta["stats"])
        tokens, n_shards, phrases = int(meta["tokens"]), int(meta["shards"]), meta["phrases"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UserError(f"{folder} is not a corpus `corpora encode` wrote (its {META} is "
                        f"unreadable)") from None
    prefixes = sorted(str(p.absolute()).removesuffix(".ids.npy")
                      for p in Path(folder).glob("shard-*.ids.npy"))
    vocab = Vocab.load(Path(folder) / VOCAB)
    found = sum(len(_array(f"{p}.ids.npy")) for p in prefixes)
    if len(prefixes) != n_shards or found != tokens or vocab.counts.sum() != tokens:
        raise UserError(f"{folder} is damaged: {META} says {n_shards} shards of {tokens:,} "
                        f"tokens, and it holds {len(prefixes)} of {found:,}, a vocabulary of "
                        f"{vocab.counts.sum():,} (encode the corpus again)")
    return Folder(str(folder), vocab, tokenizer, prefixes, stats, phrases)


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
    as `Corpus.encode` drops unknown words. Raises UserError for a damaged shard."""
    shard = Encoded(_array(f"{prefix}.ids.npy"), _array(f"{prefix}.offsets.npy"))
    ids, offsets = shard.ids, shard.offsets
    if ids.dtype != np.int32 or offsets.dtype != np.int64 or offsets.ndim != 1 or \
            not len(offsets) or offsets[0] != 0 or offsets[-1] != len(ids) or \
            (len(ids) and ids.min() < 0) or (np.diff(offsets) <= 0).any():
        raise UserError(f"{prefix}.ids.npy or .offsets.npy is damaged (encode the corpus "
                        f"again)")
    return shard if V is None else drop_tokens(ids, offsets, ids >= V)


def _array(path):
    """The .npy at `path`, memory-mapped; UserError if it is not one."""
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise UserError(f"{path} is damaged: {e} (encode the corpus again)") from None


def concatenate(parts):
    """One Encoded of Encoded shards read one after the other."""
    starts = np.cumsum([0] + [len(p.ids) for p in parts])
    offsets = [p.offsets[1:] + start for p, start in zip(parts, starts)]
    return Encoded(np.concatenate([np.asarray(p.ids) for p in parts]).astype(np.int32),
                   np.concatenate([[0], *offsets]).astype(np.int64))
