"""A tokenized corpus as integer arrays, cached on disk so that a second run skips tokenizing."""
import array
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from corpora.read import ReadStats, is_stream, list_files
from corpora.tokenize import Tokenizer, check_tokenizer, iter_tokens
from npnlp.files import atomic_write, cache_root, ensure_folder, truncate_name

CACHE_FORMAT = 2  # part of every cache key: bump it when tokenizing changes


@dataclass(frozen=True, eq=False)
class Encoded:
    """A corpus in a vocabulary's ids: sentence i is ids[offsets[i]:offsets[i + 1]].

    ids: int32 (N,).   offsets: int64 (S + 1,), offsets[0] = 0 and offsets[-1] = N.
    """

    ids: np.ndarray
    offsets: np.ndarray


@dataclass(frozen=True, eq=False)
class Corpus:
    """A tokenized corpus, before any vocabulary: every token as an id into `types`, the
    distinct tokens in the order first seen. One Corpus (and one cache entry) thus serves
    every `min_count` and `max_vocab`.

    types: list of str (V,).   counts: int64 (V,), how often each type occurs.
    type_ids: int32 (N,), ids into `types` (not a Vocab's ids: `encode` gives those),
        memory-mapped when read from the cache.
    offsets: int64 (S + 1,), sentence i is type_ids[offsets[i]:offsets[i + 1]], never empty.
    stats: what reading the files saw (bytes, chars, lines, replaced invalid UTF-8).
    """

    types: list
    counts: np.ndarray
    type_ids: np.ndarray
    offsets: np.ndarray
    stats: ReadStats

    def encode(self, vocab):
        """The corpus in `vocab`'s ids, an Encoded. Out-of-vocabulary tokens get the id of the
        vocabulary's `unk` word if it has one; else they are dropped, with any sentence they
        leave empty."""
        ids = vocab.lookup(self.types)[self.type_ids]
        if vocab.unk is not None:
            return Encoded(ids, np.array(self.offsets))
        return drop_tokens(ids, self.offsets, ids < 0)


def drop_tokens(ids, offsets, dropped):
    """The Encoded of tokens `ids` in sentences at `offsets` without those where the mask
    `dropped` is set, and without the sentences that leaves empty."""
    dropped = np.flatnonzero(dropped)
    offsets = np.asarray(offsets) - np.searchsorted(dropped, offsets)
    return Encoded(np.delete(ids, dropped), np.unique(offsets))


def sentence_blocks(offsets, tokens):
    """(first, last) sentence ranges of about `tokens` tokens each (a longer sentence is a
    block of its own), covering every sentence in order."""
    cuts = np.searchsorted(offsets, np.arange(0, offsets[-1], tokens))
    cuts = np.unique(np.r_[cuts[cuts < len(offsets) - 1], len(offsets) - 1])
    return list(zip(cuts[:-1].tolist(), cuts[1:].tolist()))


def write_sentences(corpus, out, block=1 << 20):
    """Write `corpus` to the text stream `out` a sentence a line, tokens separated by
    spaces, as `tokenize.write_tokens` writes text."""
    words, offsets = np.array(corpus.types, dtype=object), corpus.offsets
    for first, last in sentence_blocks(offsets, block):
        tokens = words[corpus.type_ids[offsets[first]:offsets[last]]].tolist()
        ends = (offsets[first:last + 1] - offsets[first]).tolist()
        out.write("".join(" ".join(tokens[a:b]) + "\n" for a, b in zip(ends[:-1], ends[1:])))


def load_corpus(source, tokenizer=Tokenizer(), cache=True, cache_dir=None, progress=False):
    """Tokenize a file or folder (see `read.list_files`) into a Corpus.

    With `cache`, the result is saved in the `tokens` folder of `cache_dir` (the cache root,
    default `npnlp.files.cache_root()`),
    keyed by the identity of the files (absolute path, size, modification time) and the
    tokenizer settings; the next call for the same files and settings reads it back, the
    ids memory-mapped, instead of tokenizing. Entries are written atomically; on a miss, the
    cache folder is created and checked before tokenizing. Standard input ('-') and other streams
    are never cached: they have no identity to key an entry with. `progress` shows a bar on
    stderr. Raises TypeError for a `source` that is no path or a `tokenizer` that is no
    Tokenizer.
    """
    check_tokenizer(tokenizer)
    files = list_files(source)
    if not cache or any(map(is_stream, files)):
        return _tokenize(source, tokenizer, progress)
    folder = Path(cache_dir or cache_root()) / "tokens"
    prefix = _cache_prefix(source, files, tokenizer.key(), folder)
    try:
        return _load(prefix)
    except CACHE_MISS:
        pass
    ensure_folder(folder)
    _save(_tokenize(source, tokenizer, progress), prefix)
    return _load(prefix)   # served from the entry, as the next call will be


def corpus_of_sentences(sentences):
    """A Corpus of an iterable of token lists (gensim's `sentences`), read once into memory:
    4 bytes a token, so a generator serves as well as a list. Empty sentences are left out.
    Raises TypeError for a sentence that is a string (a common slip: each sentence must be
    a list of words) or a token that is not one."""
    type_ids = _TypeIds()
    ids, ends = array.array("i"), [0]
    for n, sentence in enumerate(sentences):
        if isinstance(sentence, (str, bytes)):
            raise TypeError(f"sentence {n} is {type(sentence).__name__} {sentence[:30]!r}: "
                            f"each sentence must be a list of words, e.g. text.split()")
        ids.extend(map(type_ids.__getitem__, sentence))
        if len(ids) > ends[-1]:
            ends.append(len(ids))
    types = list(type_ids)
    bad = next((t for t in types if not isinstance(t, str)), None)
    if bad is not None:
        raise TypeError(f"a token must be a str, not {type(bad).__name__} {bad!r}")
    ids = np.frombuffer(ids, dtype=np.int32) if ids else np.zeros(0, np.int32)
    counts = np.bincount(ids, minlength=len(types)).astype(np.int64)
    return Corpus(types, counts, ids, np.array(ends, dtype=np.int64), ReadStats())


class _TypeIds(dict):
    """token -> id, where a new token gets the next id: ids follow first-seen order."""

    def __missing__(self, token):
        self[token] = i = len(self)
        return i


def _tokenize(source, tokenizer, progress):
    stats = ReadStats()
    return build_corpus(iter_tokens(source, tokenizer, stats, progress), stats)


def build_corpus(token_chunks, stats):
    """The Corpus of a stream of TokenChunks (the ids in first-seen order), with the
    ReadStats its reading filled in."""
    type_ids = _TypeIds()
    chunks, ends, n = [], [[0]], 0
    for tokens, sentence_ends in token_chunks:
        chunks.append(np.fromiter(map(type_ids.__getitem__, tokens), np.int32, len(tokens)))
        ends.append(np.asarray(sentence_ends, dtype=np.int64) + n)
        n += len(tokens)
    counts = sum(np.bincount(chunk, minlength=len(type_ids)) for chunk in chunks)
    ends = np.concatenate(ends)                # ascending; an empty line repeats an end
    offsets = ends[np.r_[True, ends[1:] != ends[:-1]]]   # np.unique: 0.3 s for 800 k lines
    return Corpus(list(type_ids), counts, np.concatenate(chunks), offsets, stats)


def _cache_prefix(source, files, settings_key, folder):
    """The path, without suffix, of the cache entry for `source` (whose files are `files`)
    read with the settings `settings_key` (a str): the start of its name (readable, and
    short whatever the length of the name) and a hash of the files' identity and the
    settings."""
    files = [(str(p.resolve()), s.st_size, s.st_mtime_ns) for p in files for s in [p.stat()]]
    key = json.dumps([CACHE_FORMAT, settings_key, files])
    name = truncate_name(Path(source).resolve().name)
    return folder / f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:20]}"


def _array_path(prefix, name):
    """Where the cache entry `prefix` keeps its array `name`, as a memory-mappable .npy."""
    return f"{prefix}.{name}.npy"


def _save_meta(prefix, meta):
    """Write the JSON part of a cache entry: last, as it marks the entry complete."""
    with atomic_write(f"{prefix}.json") as f:
        json.dump(meta, f)


# an entry not there, or damaged (emptied, cut short, edited by hand): read the text again
CACHE_MISS = (FileNotFoundError, NotADirectoryError, EOFError, ValueError)


def _load_meta(prefix):
    """The JSON part of a cache entry; FileNotFoundError when the entry is not complete."""
    with open(f"{prefix}.json", encoding="utf-8") as f:
        return json.load(f)


def _save(corpus, prefix):
    for name in ("type_ids", "offsets"):
        with atomic_write(_array_path(prefix, name), binary=True) as f:
            np.save(f, getattr(corpus, name))
    _save_meta(prefix, {"types": corpus.types, "counts": corpus.counts.tolist(),
                        "stats": asdict(corpus.stats)})


def _load(prefix):
    meta = _load_meta(prefix)
    return Corpus(meta["types"], np.array(meta["counts"], dtype=np.int64),
                  np.load(_array_path(prefix, "type_ids"), mmap_mode="r"),
                  np.load(_array_path(prefix, "offsets")), ReadStats(**meta["stats"]))
