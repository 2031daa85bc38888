"""word2vec's text and binary formats, read and written as word2vec.c, gensim and fastText do,
and the TensorFlow Embedding Projector's pair of TSV files.

Both word2vec formats start with a line `V D`. Text rows are a word and D numbers separated by
spaces (word2vec.c ends them with a space, fastText's `.vec` is the same format); a text file
without the `V D` line (GloVe's, gensim's `no_header`) reads too. Binary rows are the word's
UTF-8 bytes, a space, D little-endian float32s and, from word2vec.c, a newline (gensim writes
none; both read here). Files may be gzip- or bzip2-compressed, recognised by their first
bytes.

A word ends at its first ASCII space, as in word2vec.c and gensim: it may hold other
whitespace, a no-break space say, which the toolkit's tokenizers keep inside words.
"""
import bz2
import codecs
import gzip
import io
import mmap
import os
import re
import warnings
from contextlib import nullcontext
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from npnlp.errors import Advice, UserError
from npnlp.files import atomic_write, check_folder, check_output, stream_bytes
from wordvec.native import is_native_folder

UNICODE_ERRORS = ("strict", "replace", "ignore")
OPENERS = {b"\x1f\x8b": gzip.open, b"BZ": bz2.open}
TEXT_BLOCK = 4096  # rows parsed at once
NON_BLANK = re.compile(rb"\S")
PICKLE_PROTOCOLS = (b"\x02", b"\x03", b"\x04", b"\x05")


def read_word2vec(path, binary=None, limit=None, unicode_errors="strict", encoding="utf-8",
                  no_header=False):
    """(words, (V, D) float32 vectors) from a file written by word2vec.c, gensim or fastText.

    binary: True, False, or None to tell from the first row. limit: read only the first
    `limit` words (the most frequent, in files written by word2vec tools).
    unicode_errors: what to do with a word that is not valid in `encoding`, such as one that
    word2vec.c cut in the middle of a character at its 100-byte limit: "strict" (an error,
    a UnicodeDecodeError), "replace" (with U+FFFD) or "ignore" (drop the broken bytes), as
    gensim. no_header: the first line is a row, even if it reads as `V D`. A word that
    appears twice keeps its first vector, with a warning, as in gensim.
    """
    if unicode_errors not in UNICODE_ERRORS:
        raise UserError(f"unicode_errors must be one of {UNICODE_ERRORS}, "
                        f"not {unicode_errors!r}")
    if no_header and binary:
        raise UserError("no_header: only a text file can lack the 'V D' line")
    data = _read(path)
    if data[:1] == b"\x80" and data[1:2] in PICKLE_PROTOCOLS:
        raise UserError(f"{path} is a Python pickle (gensim's model.save() or kv.save()), "
                        f"which wordvec does not load: pickles run code and need gensim's "
                        f"classes. In gensim, write kv.save_word2vec_format(path, "
                        f"binary=True) and load that")
    V, D, start, header = _header(data, path, binary, no_header)
    if limit is not None:
        V = min(V, limit)
    if binary is None:   # a file without the `V D` line is text
        first_row = NON_BLANK.search(data, start)   # binary rows may follow blank lines
        binary = header and not _is_text_row(data, first_row.start() if first_row else start, D)
    where = _Where(binary, header)
    read_rows = _binary_rows if binary else _text_rows
    words, vectors = read_rows(data, start, V, D, path, where)
    _check_finite(vectors, path, where)
    words = _decode(words, path, unicode_errors, encoding)
    first = _first_of_each(words, path, where)
    if first is not None:
        words, vectors = [words[i] for i in first], vectors[first]
    return words, vectors


def write_word2vec(path, words, vectors, binary=False, header=True):
    """Write word vectors in word2vec's text or binary format, atomically; a path ending in
    .gz or .bz2 is compressed. Text keeps 9 significant digits, enough for float32 to read
    back exactly. header: True for the `V D` line, a number of words for the line to
    announce, or None for none (GloVe's text format)."""
    _check_writable_words(words)
    vectors = np.ascontiguousarray(vectors, dtype="<f4")
    V, D = vectors.shape
    with atomic_write(path, binary=True) as raw, _compressor(path, raw) as out:
        if header is not None:
            out.write(f"{V if header is True else header} {D}\n".encode())
        for start in range(0, V, 4096):
            block, rows = words[start:start + 4096], vectors[start:start + 4096]
            if binary:
                out.write(b"".join(w.encode() + b" " + r.tobytes() + b"\n"
                                   for w, r in zip(block, rows)))
            else:
                lines = _format_rows(rows)
                out.write("".join(f"{w} {line}\n" for w, line in zip(block, lines)).encode())


def write_projector(folder, words, vectors):
    """Write `vectors.tsv` and `metadata.tsv` into `folder` (created if needed), the pair the
    TensorFlow Embedding Projector (projector.tensorflow.org) loads."""
    os.makedirs(folder, exist_ok=True)
    with atomic_write(os.path.join(folder, "vectors.tsv")) as f:
        f.writelines(line.replace(" ", "\t") + "\n" for line in _format_rows(vectors))
    with atomic_write(os.path.join(folder, "metadata.tsv")) as f:
        f.writelines(word + "\n" for word in words)


def _read(path):
    """The bytes of `path` ('-': standard input), decompressed, or memory-mapped when it is
    a plain file."""
    try:
        data = stream_bytes(path)
        if data is not None:
            return _decompressed(data, path)
        with open(path, "rb") as f:
            opener = OPENERS.get(f.read(2))
            if opener:
                with opener(path, "rb") as z:
                    return _nonempty(z.read(), path)
            if os.fstat(f.fileno()).st_size == 0:
                raise UserError(f"{path} is empty")
            populate = getattr(mmap, "MAP_POPULATE", 0)  # read ahead at once (Linux)
            return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | populate,
                             prot=mmap.PROT_READ)
    except (OSError, EOFError) as e:
        if isinstance(e, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise
        raise UserError(f"{path}: cannot read: {e}") from None


def _decompressed(data, path):
    """The bytes read from a stream, decompressed if they are gzip or bzip2."""
    opener = OPENERS.get(bytes(data[:2]))
    return _nonempty(opener(io.BytesIO(data)).read() if opener else data, path)


def _nonempty(data, path):
    if not data:
        raise UserError(f"{'standard input' if str(path) == '-' else path} is empty")
    return data


def _header(data, path, binary, no_header=False):
    """(V, D, offset of the first row, True) from the `V D` line, or for a text file without
    one (GloVe's) (V its lines, D the numbers of its first row, offset, False). A UTF-8
    byte-order mark before either is skipped."""
    bom = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    end = data.find(b"\n", bom, bom + 100)
    fields = data[bom:end if end >= 0 else bom + 100].split()
    if end >= 0 and len(fields) == 2 and all(f.isdigit() for f in fields) and not no_header:
        V, D = map(int, fields)
        if V < 1 or D < 1:
            raise UserError(f"{path}, line 1: {V} words of {D} dimensions")
        return V, D, end + 1, True
    if not binary:   # vectors, not a vocabulary's `word count` lines: 2 numbers or more
        first = _line(data, bom)
        numbers = first.partition(b" ")[2].split() if first is not None else []
        if (len(numbers) > 1 or no_header and numbers) and \
                _is_text_row(data, bom, len(numbers), typos=False):
            return _count_lines(data), len(numbers), bom, False
    raise UserError(f"{path} is not in word2vec format: the first line must be "
                    f"'<words> <dimensions>' or a word and its numbers, not "
                    f"{_shown(bytes(data[:40]))}")


def _line(data, pos, limit=1 << 20):
    """The line starting at byte `pos`, trailing whitespace cut, or None if it is longer
    than `limit` bytes."""
    end = data.find(b"\n", pos, pos + limit)
    if end < 0:
        if len(data) - pos > limit:
            return None
        end = len(data)
    return bytes(data[pos:end]).rstrip()


def _count_lines(data, chunk=1 << 24):
    """The lines of `data` up to its last non-blank byte."""
    end = len(data)
    while end and data[end - 1:end].isspace():
        end -= 1
    return 1 + sum(bytes(data[i:min(i + chunk, end)]).count(b"\n") for i in range(0, end, chunk))


def _shown(head):
    """The start of a file as a user can read it: its text, or what kind of binary it is."""
    kinds = {b"PK\x03\x04": "a zip archive (a NumPy .npz, a charlm checkpoint?)",
             b"\x93NUMPY": "a NumPy .npy array"}   # gzip and bzip2 are read (OPENERS)
    for magic, kind in kinds.items():
        if head.startswith(magic):
            return kind
    line = head.split(b"\n")[0].decode("utf-8", "replace").removeprefix("\ufeff")
    line = line.rstrip("\ufffd")   # a character cut at the end of `head`
    readable = all(c.isprintable() or c in "\t\r" for c in line) and "\ufffd" not in line
    return repr(line) if readable else "binary data"


def _is_text_row(data, start, D, typos=True):
    """Whether the row at `start` reads as a word, a space and D numbers on one line, split
    as `_text_rows` splits it, or, with `typos`, as printable fields at least half of them
    numbers, however many (text with a typo or a missing number, which the text parser then
    names), unless D is 1 and there is one field. A binary row
    of one dimension whose 4 bytes are ASCII digits reads as text too: no tool can tell that
    file from text."""
    line = _line(data, start, 64 * D + 1000)
    if line is None:
        return False
    word, _, numbers = line.partition(b" ")
    fields = numbers.split()
    if not word or not fields:
        return False
    numeric = sum(map(is_number, fields))
    if len(fields) == D and numeric == D:
        return True
    return typos and (D > 1 or len(fields) > 1) and 2 * numeric >= len(fields) and \
        numbers.isascii() and numbers.decode().isprintable()


def is_number(field):
    try:
        float(field)
        return True
    except ValueError:
        return False


def _binary_rows(data, pos, V, D, path, where):
    """(word bytes, (V, D) float32) from binary rows starting at byte `pos`.

    A Python loop finds where each row's numbers start (the first space after the word);
    one fancy index over a sliding-window view of the bytes then copies all rows at once.
    """
    row = 4 * D
    find, starts, words = data.find, [], []
    for _ in range(V):
        while data[pos:pos + 1] == b"\n":
            pos += 1
        space = find(b" ", pos)
        if space < 0:
            break
        words.append(data[pos:space])
        starts.append(space + 1)
        pos = space + 1 + row
    if len(starts) < V or pos > len(data):
        raise UserError(f"{path} ends in row {len(starts)} of the {V} its header announces "
                        f"(truncated, or not the binary format?)")
    rows = sliding_window_view(np.frombuffer(data, np.uint8), row)
    return words, rows[np.array(starts)].view("<f4")


def _text_rows(data, pos, V, D, path, where):
    """(word bytes, (V, D) float32) from text rows starting at byte `pos`, parsed a block of
    rows at a time so that memory stays near the size of the result."""
    vectors = np.empty((V, D), np.float32)
    words = []
    for first in range(0, V, TEXT_BLOCK):
        lines = []
        for n in range(first, min(first + TEXT_BLOCK, V)):
            end = data.find(b"\n", pos)
            line = data[pos:end if end >= 0 else len(data)].rstrip()
            if not line:
                raise UserError(f"{path}, {where(n + 1)}: an empty line"
                                if NON_BLANK.search(data, pos) or not where.header else
                                f"{path} has {n} rows where its header announces {V} "
                                f"(truncated?)")
            lines.append(line)
            pos = end + 1 if end >= 0 else len(data)
        block_words, numbers = zip(*(line.partition(b" ")[::2] for line in lines))
        block = vectors[first:first + len(lines)]
        if not _parse_numbers(numbers, block):
            _check_fields(numbers, block_words, first, D, path, where)
            raise UserError(f"{path}, {where(first + 1)} to {where(first + len(lines))}: "
                            f"numbers that NumPy cannot read")
        words.extend(block_words)
    return words, vectors


def _parse_numbers(rows, out):
    """Fill `out` (n, D) from n rows of whitespace-separated numbers; False unless each row
    holds exactly D. The rows are parsed at once with an `inf` after each, so that a row short
    of a number and another with one too many cannot make up the count together (unless the
    extra number is an inf itself, which `_check_finite` then refuses). (Counting
    each row's fields instead loaded a 100,000 x 100 text file in 1.40 s, against 1.24 s
    without the check and 1.26 s with the sentinels; bench machine.)"""
    n, D = out.shape
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            values = np.fromstring(b" inf ".join(rows).decode("ascii") + " inf",
                                   dtype=out.dtype, sep=" ")
    except (UnicodeDecodeError, ValueError, DeprecationWarning):
        return False
    if values.size != n * (D + 1):
        return False
    values = values.reshape(n, D + 1)
    if not np.isinf(values[:, D]).all():
        return False
    out[...] = values[:, :D]
    return True


def _check_fields(numbers, words, first, D, path, where):
    """Raise for the first of a block's rows that is not D numbers."""
    for n, (fields, word) in enumerate(zip(numbers, words)):
        fields = fields.split()
        bad = next((f for f in fields if not is_number(f)), None)
        if len(fields) != D or bad is not None:
            word = bytes(word[:50]).decode("utf-8", "backslashreplace")
            found = f", found {len(fields)} fields after it" if len(fields) != D else \
                f"; {bytes(bad[:20]).decode('utf-8', 'backslashreplace')!r} is not a number"
            raise UserError(f"{path}, {where(first + n + 1)}: expected the word {word!r} "
                            f"and {D} numbers{found}")


class _Where(NamedTuple):
    """Names row r (from 1) for an error: a binary file's row r, a text file's line."""
    binary: bool
    header: bool

    def __call__(self, row):
        return f"row {row}" if self.binary else f"line {row + self.header}"


def _first_of_each(words, path, where):
    """None if every word is new, else the rows that keep each word's first vector (with a
    warning naming the first repeat): files from the web repeat words, gensim keeps the
    first."""
    if len(set(words)) == len(words):
        return None
    first = {}
    for row, word in enumerate(words):
        first.setdefault(word, row)
    repeat = next(r for r, w in enumerate(words) if first[w] != r)
    warnings.warn(f"{path}: {len(words) - len(first):,} words appear more than once (the "
                  f"first: {words[repeat]!r}, {where(first[words[repeat]] + 1)} and "
                  f"{where(repeat + 1)}); each keeps its first vector", Advice, stacklevel=4)
    return np.fromiter(first.values(), np.int64, len(first))


def _check_finite(vectors, path, where):
    bad = ~np.isfinite(vectors).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad)) + 1
        raise UserError(f"{path}, {where(row)}: the vector holds a NaN or infinite value")


class WordDecodeError(UserError, UnicodeDecodeError):
    """A word that is not valid in the file's encoding: a UserError for the tools, the
    UnicodeDecodeError gensim raises for Python callers."""

    def __init__(self, message, *unicode_error_args):
        UnicodeDecodeError.__init__(self, *unicode_error_args)
        self.message = message

    def __str__(self):
        return self.message


def _decode(words, path, errors, encoding="utf-8"):
    try:
        return b"\n".join(words).decode(encoding, errors).split("\n")
    except UnicodeDecodeError:
        row = next(i for i, w in enumerate(words, 1) if not _decodes(w, encoding))
        word = bytes(words[row - 1])
        try:
            word.decode(encoding)
        except UnicodeDecodeError as e:
            args = e.encoding, e.object, e.start, e.end, e.reason
        shown = word.decode(encoding, "backslashreplace")
        name = codecs.lookup(encoding).name.replace("utf-8", "UTF-8")
        raise WordDecodeError(f"{path}, row {row}: the word '{shown}' is not valid {name} "
                              f"(word2vec.c cuts words at 100 bytes); read it with "
                              f"--unicode-errors (unicode_errors=) replace or ignore",
                              *args) from None


def _decodes(word, encoding):
    try:
        bytes(word).decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def _check_writable_words(words):
    for word in words:
        if not word or any(c in " \t\n\r\v\f" for c in word):
            raise UserError(f"the word {word!r} cannot be written in word2vec format, "
                            f"which separates words with whitespace")


def _format_rows(vectors):
    """Each row as D numbers joined by spaces, 9 significant digits."""
    fmt = " ".join(["%.9g"] * vectors.shape[1])
    return [fmt % tuple(row) for row in vectors.tolist()]


def _compressor(path, raw):
    """`raw` wrapped to compress by the extension of `path`."""
    name = str(path)
    if name.endswith(".gz"):   # the header names the final file, not the temporary one
        return gzip.GzipFile(os.path.basename(name)[:-3], "wb", fileobj=raw, mtime=0)
    if name.endswith(".bz2"):
        return bz2.BZ2File(raw, "wb")
    return nullcontext(raw)


FORMATS = ("text", "binary", "fasttext", "native", "projector")   # fasttext: its .bin
EXTENSIONS = {".txt": "text", ".vec": "text", ".bin": "binary"}
PROJECTOR_FILES = {"vectors.tsv", "metadata.tsv"}


def format_from_name(path):
    """text or binary by the extension (.gz, .bz2 aside), text for '-', else native."""
    if str(path) == "-":
        return "text"
    suffixes = [s.lower() for s in Path(path).suffixes if s.lower() not in (".gz", ".bz2")]
    return EXTENSIONS.get(suffixes[-1] if suffixes else None, "native")


def check_target(path, format_, inputs=()):
    """Refuse, before any work, an output that writing would destroy data with or fail at
    the end for: a file output as `npnlp.files.check_output`; a folder output (native,
    projector) must not be a link, an input, or a folder other than one this tool wrote."""
    if format_ not in ("native", "projector"):
        return check_output(path, inputs)
    path = Path(path)
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        raise UserError(f"refusing to replace {path} with a {format_} folder: it is not a "
                        f"folder (a name ending .txt or .bin, or --format, writes a file)")
    if format_ == "native" and path.is_dir() and not is_native_folder(path):
        raise UserError(f"{path} exists and is not a folder of saved vectors: not "
                        f"overwriting it")
    if format_ == "projector" and path.is_dir() and set(os.listdir(path)) - PROJECTOR_FILES:
        raise UserError(f"{path} holds other files than {' and '.join(sorted(PROJECTOR_FILES))}"
                        f": not writing into it")
    if path.resolve() in [Path(i).resolve() for i in inputs]:
        raise UserError(f"refusing to write into {path}: it is an input")
    try:
        check_folder(path.absolute().parent)
    except UserError as e:
        raise UserError(f"cannot write {path}: {e}") from None
