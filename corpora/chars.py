"""Characters as integer ids, for character-level language models: a text read and cached
in one streaming pass, and the character vocabulary."""
import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from corpora.corpus import CACHE_MISS, _array_path, _cache_prefix, _load_meta, _save_meta
from corpora.read import CHUNK_SIZE, ReadStats, is_stream, list_files, read_text, total_size
from npnlp.errors import UserError, check_count
from npnlp.files import atomic_write, cache_root, ensure_folder
from npnlp.progress import progress_bar

CACHE_KEY = "code points"  # the settings part of the cache key: reading characters has none


@dataclass(frozen=True, eq=False)
class CharCorpus:
    """A text as character ids, before any vocabulary.

    chars: str (V,), the distinct characters in code-point order.
    counts: int64 (V,), how often each character occurs.
    ids: (N,) uint8, uint16 or int32 (`id_dtype`), the text as ids into `chars`,
        memory-mapped when it comes from the cache.
    stats: what reading the files saw (bytes, chars, lines, replaced invalid UTF-8).
    """

    chars: str
    counts: np.ndarray
    ids: np.ndarray
    stats: ReadStats

    def encode(self, vocab, skip_unseen=False):
        """The text in the ids of `vocab` (a CharVocab), (N,) of `id_dtype(len(vocab))`.

        When every character keeps its id, as in a CharVocab of `chars` (an `unk` above them
        changes nothing), this is `ids` itself: memory-mapped, no copy. Otherwise it is a new
        array in memory, mapped a chunk at a time so that it is the only full-size array. A
        character not in `vocab` becomes its `unk`; without one, its occurrences are left out
        with `skip_unseen` (see `unseen`), else UserError names it and where it first occurs.
        """
        seen = np.array([vocab.unk is not None or c in vocab for c in self.chars], bool)
        if not seen.all() and not skip_unseen:
            at = int(np.argmax(~seen[self.ids]))
            char = self.chars[self.ids[at]]
            raise UserError(f"the character {char!r} (U+{ord(char):04X}) at position {at:,} "
                            f"of the text is not in the vocabulary, which has no "
                            f"unknown-character stand-in")
        lookup = np.full(len(self.chars), -1, np.int32)
        lookup[seen] = vocab.encode("".join(c for c, s in zip(self.chars, seen) if s))
        if np.array_equal(lookup, np.arange(len(lookup))):
            return self.ids
        chunks = (lookup[self.ids[start:start + CHUNK_SIZE]]
                  for start in range(0, len(self.ids), CHUNK_SIZE))
        dtype = id_dtype(len(vocab))
        if seen.all():
            out = np.empty(len(self.ids), dtype)
            for i, chunk in enumerate(chunks):
                out[i * CHUNK_SIZE:i * CHUNK_SIZE + len(chunk)] = chunk
            return out
        return np.concatenate([chunk[chunk >= 0].astype(dtype) for chunk in chunks] or
                              [lookup[:0].astype(dtype)])

    def unseen(self, vocab):
        """The characters of the text that `vocab` lacks, and how often each occurs:
        (str, int64 counts)."""
        missing = [i for i, c in enumerate(self.chars) if c not in vocab]
        return "".join(self.chars[i] for i in missing), self.counts[missing]


def load_chars(source, cache=True, cache_dir=None, progress=False, chunk_size=CHUNK_SIZE):
    """Read the characters of a file or folder (see `read.list_files`) into a CharCorpus.

    Reading takes memory bounded by `chunk_size` (bytes read at a time), whatever the length
    of the text. With `cache`, the ids are saved in the `chars` folder of `cache_dir` (the
    cache root, default `npnlp.files.cache_root()`), keyed by the identity of the files
    (absolute path, size, modification time), and returned memory-mapped from there; the
    next call for the same files reads them back instead of the text. Entries are written
    atomically. Without `cache`, the ids are returned in memory. Ids take 1 byte a character
    when the text has at most 256 distinct characters, 2 when at most 65,536 (`id_dtype`).
    `progress` shows a bar on stderr. Raises UserError when the text is empty.
    """
    files = list_files(source)
    if not cache or any(map(is_stream, files)):
        with tempfile.TemporaryFile() as f:
            chars, counts, stats = _encode(source, f, None, progress, chunk_size)
            f.seek(0)
            return CharCorpus(chars, counts, np.load(f), stats)
    folder = Path(cache_dir or cache_root()) / "chars"
    prefix = _cache_prefix(source, files, CACHE_KEY, folder)
    try:
        return _load(prefix)
    except CACHE_MISS:
        pass
    ensure_folder(folder)
    with atomic_write(_array_path(prefix, "ids"), binary=True) as f:
        chars, counts, stats = _encode(source, f, folder, progress, chunk_size)
    _save_meta(prefix, {"chars": chars, "counts": counts.tolist(), "stats": asdict(stats)})
    return _load(prefix)


def _load(prefix):
    meta = _load_meta(prefix)
    return CharCorpus(meta["chars"], np.array(meta["counts"], dtype=np.int64),
                      np.load(_array_path(prefix, "ids"), mmap_mode="r"),
                      ReadStats(**meta["stats"]))


def _encode(source, out, scratch, progress, chunk_size):
    """Write the ids of the characters of `source` to the binary file `out`, as an .npy array;
    return the characters (in code-point order), their counts and the ReadStats.

    A character's id is its rank among the characters present, known only at the end; so
    the code points are spooled to a temporary file in the folder `scratch` (None: the
    system's) and mapped to ids in a second pass over that file, not over the text.
    """
    stats = ReadStats()
    with tempfile.TemporaryFile(dir=scratch) as spool:
        counts = _spool_codepoints(source, spool, stats, progress, chunk_size)
        if not counts.any():
            raise UserError(f"{source} is empty")
        present = np.flatnonzero(counts)
        dtype = id_dtype(len(present))
        id_of = np.zeros(present[-1] + 1, dtype)
        id_of[present] = np.arange(len(present))
        header = {"descr": dtype, "fortran_order": False, "shape": (int(counts.sum()),)}
        np.lib.format.write_array_header_1_0(out, header)
        spool.seek(0)
        while block := spool.read(4 * chunk_size):
            out.write(id_of[np.frombuffer(block, "<u4")].tobytes())
    return _text(present), counts[present], stats


def id_dtype(V):
    """The smallest array type for ids of V characters: 1 byte for most texts (at most 256
    distinct characters), 2 for most others, else 4."""
    return "<u1" if V <= 1 << 8 else "<u2" if V <= 1 << 16 else "<i4"


def _spool_codepoints(source, spool, stats, progress, chunk_size):
    """Write the code points of the text of `source` to the binary file `spool`, as uint32;
    return how often each code point occurs, int64 (0x110000,)."""
    counts = np.zeros(sys.maxunicode + 1, np.int64)
    with progress_bar(total_size(list_files(source)), "B", progress) as bar:
        for text in read_text(source, stats, chunk_size):
            bar.update(stats.bytes - bar.n)
            codepoints = text.encode("utf-32-le")
            spool.write(codepoints)
            found = np.bincount(np.frombuffer(codepoints, "<u4"))
            counts[:found.size] += found
    return counts


class CharVocab:
    """Characters ordered by code point; a character's id is its position in `chars`.

    unk: the character that stands for any character not in the vocabulary when encoding
        (it is added to the vocabulary); without one, encoding an unseen character is an
        error. U+FFFD, which reading puts in place of invalid bytes, is a natural choice.
    """

    def __init__(self, chars, unk=None):
        if unk is not None and len(unk) != 1:
            raise UserError(f"the unknown-character stand-in must be one character, not {unk!r}")
        self.chars = "".join(sorted(set(chars) | set(unk or "")))
        if not self.chars:
            raise UserError("empty character vocabulary")
        self.unk = unk
        self._codepoints = _codepoints(self.chars)

    @classmethod
    def build(cls, text, unk=None):
        """The vocabulary of every character in `text`, a str or an iterable of str chunks
        (such as `read.read_text(path)`)."""
        seen = set()
        for chunk in [text] if isinstance(text, str) else text:
            seen.update(chunk)
        return cls(seen, unk)

    @classmethod
    def from_counts(cls, chars, counts, min_count=1, unk=None):
        """The characters counted at least `min_count` times, from parallel sequences such as
        a CharCorpus's `chars` and `counts`. With `unk`, the rarer characters are encoded as
        `unk`; without, encoding one is an error."""
        check_count("min_count", min_count)
        counts = np.asarray(counts)
        if counts.shape != (len(chars),):
            raise UserError(f"{len(chars)} characters but counts of shape {counts.shape}")
        return cls([c for c, n in zip(chars, counts.tolist()) if n >= min_count], unk)

    def __len__(self):
        return len(self.chars)

    def __contains__(self, char):
        return len(char) == 1 and char in self.chars

    def __repr__(self):
        return f"CharVocab({self.chars!r}, unk={self.unk!r})"

    def encode(self, text):
        """The ids of the characters of `text`, an int32 array."""
        codepoints = _codepoints(text)
        ids = np.searchsorted(self._codepoints, codepoints).clip(max=len(self) - 1)
        unseen = self._codepoints[ids] != codepoints
        if unseen.any():
            if self.unk is None:
                char = text[np.argmax(unseen)]
                raise UserError(f"the character {char!r} (U+{ord(char):04X}) is not in the "
                                f"vocabulary, and it has no unknown-character stand-in")
            ids[unseen] = self.chars.index(self.unk)
        return ids.astype(np.int32)

    def decode(self, ids):
        """The text of an array of ids."""
        return _text(self._codepoints[np.asarray(ids)])

    def save(self, path):
        """Write the vocabulary as JSON, atomically."""
        with atomic_write(path) as f:
            json.dump({"chars": self.chars, "unk": self.unk}, f)

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by `save`."""
        try:
            with open(path, encoding="utf-8") as f:
                saved = json.load(f)
            return cls(saved["chars"], saved["unk"])
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{path} is not a character vocabulary saved by CharVocab") from None


def _codepoints(text):
    """The code points of `text` as a little-endian uint32 array."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def _text(codepoints):
    """The text of an array of code points."""
    return np.asarray(codepoints, dtype="<u4").tobytes().decode("utf-32-le")
