"""Stream the text of a file or folder in bounded memory: plain, gzip, bzip2, xz or zip.

Text is decoded as UTF-8 in chunks with an incremental decoder, so a multibyte character,
a CRLF or an invalid byte sequence split across two chunks reads exactly as if the file
were decoded whole. Invalid bytes become U+FFFD and are counted; line endings (CRLF, CR)
become '\n'; a leading byte-order mark is dropped.

The string '-' is standard input. It, and a FIFO or a process substitution (`<(...)`, a
/dev/fd/N pipe) named explicitly, are read as streams: once, front to back.
"""
import bz2
import codecs
import errno
import gzip
import io
import lzma
import os
import stat
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from npnlp.errors import UserError
from npnlp.files import check_path, is_stdio

CHUNK_SIZE = 1 << 20
SNIFF_SIZE = 1 << 16  # bytes at least in each stretch of a file judged for looking binary
FFFD = "\ufffd".encode()
# what a corrupt archive raises; RuntimeError covers an encrypted or unsupported zip member
DECOMPRESS_ERRORS = (OSError, EOFError, RuntimeError, zlib.error, lzma.LZMAError,
                     zipfile.BadZipFile)
ENCODED = "encoded.json"   # what marks a folder `corpora.encoded` wrote


@dataclass
class ReadStats:
    """What reading (and tokenizing) saw, filled in as the chunks are consumed."""

    files: int = 0
    bytes: int = 0  # on disk, so compressed files count their compressed size
    chars: int = 0
    lines: int = 0  # a last line without '\n' counts too
    replaced: int = 0  # invalid UTF-8 sequences replaced with U+FFFD
    cuts: int = 0  # made in runs without whitespace too long for a token (tokenize.MAX_TOKEN)


def list_files(source):
    """The files to read for `source`: '-' (standard input) or a file, FIFO or device named
    explicitly, as itself; for a folder, see `_walk`.

    Raises UserError for an empty path (an unset variable), a missing path, a broken
    symbolic link or a loop of them, an unreadable folder, and a folder with no files;
    TypeError when `source` is no path.
    """
    check_path(source, "source")
    if is_stdio(source):
        return [source]
    if str(source) == "":
        raise UserError("the path is empty (is a variable unset?)")
    path = Path(source)
    try:
        is_folder = stat.S_ISDIR(path.stat().st_mode)
    except OSError as e:
        raise UserError(_unreachable(path, e)) from None
    if not is_folder:
        return [path]
    if (path / ENCODED).is_file():
        raise UserError(f"{path} holds a corpus `corpora encode` wrote, token ids, not text: "
                        f"`wordvec train` reads it; other commands read the text it came from")
    if any(path.glob("shard-*.ids.npy")):
        raise UserError(f"{path} holds the token ids of an encode cut short (it has no "
                        f"{ENCODED}): remove it and encode the corpus again")
    files = sorted(_walk(path))
    if not files:
        raise UserError(f"no files in folder {path}")
    return files


def _walk(folder):
    """Yield the regular files under `folder`, recursively, skipping hidden files and folders
    (names starting '.'), and skipping FIFOs, devices, sockets and broken links, which are no
    corpus files (reading a FIFO would wait for a writer). Links to files are followed, links
    to folders are not (a loop of them cannot hang the walk). Raises UserError naming a
    folder that cannot be read, rather than leaving its files out silently."""
    def fail(error):
        raise UserError(f"cannot read folder {error.filename}: {error.strerror}")

    for root, folders, names in os.walk(folder, onerror=fail):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in names:
            path = Path(root, name)
            if not name.startswith(".") and path.is_file():
                yield path


def _unreachable(path, error):
    """Why `path` cannot be read, from the OSError its stat raised."""
    if error.errno == errno.ELOOP:
        return f"symbolic link loop: {path}"
    if error.errno == errno.ENOENT and path.is_symlink():
        return f"broken symbolic link: {path} -> {os.readlink(path)}"
    if error.errno == errno.ENOENT:
        return f"no such file or folder: {path}"
    return f"cannot read {path}: {error.strerror}"


def is_stream(path):
    """Whether `path` (an item of `list_files`) is read as a stream: standard input, a FIFO,
    a device. A stream has no size, and no identity to key a cache with."""
    return is_stdio(path) or not Path(path).is_file()


def total_size(files):
    """The bytes a progress bar over `files` will count, or None when one is a stream."""
    return None if any(map(is_stream, files)) else sum(Path(f).stat().st_size for f in files)


def read_text(source, stats=None, chunk_size=CHUNK_SIZE):
    """An iterator over the text of every file of `source` (see `list_files`, which runs at
    the call), in chunks."""
    files = list_files(source)
    return (text for path in files for text in read_chunks(path, stats, chunk_size))


def read_chunks(path, stats=None, chunk_size=CHUNK_SIZE):
    """An iterator over the text of one file in chunks of about `chunk_size` bytes.

    `path` may be '-' (standard input) or a stream (see `is_stream`). The format comes from
    the first bytes alone, never the name: a plain text file named `.gz` is read as plain
    text. The members of a zip file are read in name order, joined by '\n'. Raises TypeError
    at the call when `path` is no path; UserError, as it reads, for a corrupt archive or a
    file that does not look like text.
    """
    check_path(path, "path")
    return _read_chunks(path, ReadStats() if stats is None else stats, chunk_size)


def read_range(path, start, end, stats=None, chunk_size=CHUNK_SIZE):
    """The text of bytes start..end of a plain file, cut at line ends by the caller (a shard
    of it), counted in `stats` as the part of the file it is: the file once (by the range
    starting it), a last line without '\n' once (by the range ending it)."""
    stats = ReadStats() if stats is None else stats
    with open(path, "rb") as f:
        f.seek(start)
        data = io.BytesIO(f.read(end - start))   # shares the bytes read, no copy
    ends_line = True
    for text in _decode(data, path, stats, chunk_size):
        stats.chars += len(text)
        stats.lines += text.count("\n")
        ends_line = text.endswith("\n")
        yield text
    stats.bytes += end - start
    stats.files += start == 0
    stats.lines += end == os.path.getsize(path) and not ends_line


def is_plain(path):
    """Whether the file at `path` is neither compressed nor an archive (by its first bytes)."""
    with open(path, "rb") as f:
        return _sniff(f.read(16)) == "plain"


def _read_chunks(path, stats, chunk_size):
    start = stats.bytes
    ends_line = True
    with _open(path) as disk:
        fmt = _sniff(disk.peek(16)[:16])
        if fmt == "zip" and not disk.seekable():
            raise UserError(f"cannot read a zip archive from a stream ({path}): save it first")
        try:
            for i, member in enumerate(_members(disk, fmt)):
                for text in _decode(member, path, stats, chunk_size, join="\n" if i else ""):
                    stats.bytes = max(stats.bytes, start + disk.tell())
                    stats.chars += len(text)
                    stats.lines += text.count("\n")
                    ends_line = text.endswith("\n")
                    yield text
        except DECOMPRESS_ERRORS as e:
            if fmt == "plain":
                raise
            raise UserError(f"corrupt {fmt} file {path}: {e}") from None
        stats.bytes = start + (os.fstat(disk.fileno()).st_size if disk.seekable()
                               else disk.tell())
    stats.files += 1
    stats.lines += not ends_line


def _open(path):
    """`path` open for reading bytes, able to `peek` at its first bytes: a regular file as
    itself; standard input ('-', left open) or another stream through `_Stream`."""
    if is_stdio(path):
        return io.BufferedReader(_Stream(sys.stdin.buffer), CHUNK_SIZE)
    disk = open(path, "rb")
    if stat.S_ISREG(os.fstat(disk.fileno()).st_mode):
        return disk
    return io.BufferedReader(_Stream(disk, close=True), CHUNK_SIZE)


class _Stream(io.RawIOBase):
    """A stream (a pipe, standard input) read front to back: in full reads, so that `peek`
    sees its first bytes however few a pipe delivers at a time, and counting the bytes
    read, its position (a pipe has none)."""

    def __init__(self, stream, close=False):
        self.stream, self.close_stream, self.count = stream, close, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        buffer[:len(data)] = data
        self.count += len(data)
        return len(data)

    def tell(self):
        return self.count

    def close(self):
        if self.close_stream:
            self.stream.close()
        super().close()


def _sniff(head):
    """The compression format named by the magic bytes `head`, else "plain"."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[4:10] in (
            b"\x31\x41\x59\x26\x53\x59", b"\x17\x72\x45\x38\x50\x90"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    return "plain"


def _members(disk, fmt):
    """The decompressed binary streams of an open file: one, or one per zip member."""
    if fmt == "plain":
        yield disk
    elif fmt == "gzip":
        yield gzip.GzipFile(fileobj=disk)
    elif fmt == "bzip2":
        yield bz2.BZ2File(disk)
    elif fmt == "xz":
        yield lzma.LZMAFile(disk)
    else:
        with zipfile.ZipFile(disk) as archive:
            for name in sorted(i.filename for i in archive.infolist() if not i.is_dir()):
                with archive.open(name) as member:
                    yield member


def _decode(stream, path, stats, chunk_size, join=""):
    """Yield the text of a binary stream, `join` first; add its replaced bytes to `stats`."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    held = join  # text not yet yielded: a trailing '\r' may be the first half of a CRLF
    started = False
    check = _TextCheck(path)
    while True:
        raw = stream.read(chunk_size)
        final = not raw
        buffered = decoder.getstate()[0]
        text = decoder.decode(raw, final)
        bad = text.count("\ufffd")
        if bad:  # minus the U+FFFD characters that were valid UTF-8 in the input
            consumed = (buffered + raw)[:len(buffered) + len(raw) - len(decoder.getstate()[0])]
            bad -= consumed.count(FFFD)
        check.add(raw, text, bad, final)
        if text and not started:
            started = True
            text = text.removeprefix("\ufeff")
        text = held + text
        held = "\r" if text.endswith("\r") and not final else ""
        text = text[:len(text) - len(held)].replace("\r\n", "\n").replace("\r", "\n")
        if text:
            yield text
        if final:
            stats.replaced += check.replaced
            return


def _wide_encoding(head):
    """'UTF-32' or 'UTF-16' if the first bytes of a stream are text in it (a byte-order mark,
    or mostly ASCII text whose every other, or every fourth, byte is NUL), else None."""
    if head[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        return "UTF-32"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "UTF-16"
    head = head[:len(head) // 4 * 4]
    if len(head) >= 8:
        nul = [head[i::4].count(0) / (len(head) // 4) for i in range(4)]
        wide = "".join("0" if n > 0.9 else "c" if n < 0.5 else "?" for n in nul)
        return {"000c": "UTF-32BE", "c000": "UTF-32LE", "0c0c": "UTF-16BE",
                "c0c0": "UTF-16LE"}.get(wide)
    return None


class _TextCheck:
    """Judges a stream for looking binary, stretch by stretch, so that text followed by
    binary data is caught too: every stretch of at least SNIFF_SIZE bytes (a chunk, or chunks
    added up) must have NUL bytes under 1% and invalid sequences under a quarter of its
    characters. A shorter last stretch is judged together with the one before it, so that a
    few odd bytes at the end of a text cannot condemn it. Positions count decompressed bytes.
    """

    def __init__(self, path):
        self.path = path
        self.replaced = 0  # in the whole stream
        self.start = 0  # where the stretch being counted begins
        self.stretch = self.last = (0, 0, 0, 0)  # bytes, NUL bytes, characters, replaced
        self.head = b""  # the stream's first bytes, to recognise UTF-16 and UTF-32

    def add(self, raw, text, replaced, final):
        """Count a chunk: its bytes, its decoded text and how many sequences were replaced."""
        if len(self.head) < 4096:
            self.head += raw[:4096 - len(self.head)]
        self.replaced += replaced
        counts = (len(raw), raw.count(0), len(text), replaced)
        self.stretch = tuple(a + b for a, b in zip(self.stretch, counts))
        if final and self.stretch[0] < SNIFF_SIZE:
            self.start -= self.last[0]
            self.stretch = tuple(a + b for a, b in zip(self.stretch, self.last))
        if final or self.stretch[0] >= SNIFF_SIZE:
            self._judge(*self.stretch)
            self.start += self.stretch[0]
            self.stretch, self.last = (0, 0, 0, 0), self.stretch

    def _judge(self, size, nul, chars, replaced):
        if 100 * nul > size or 4 * replaced > chars:
            encoding = _wide_encoding(self.head) if self.start == 0 else None
            if encoding:
                raise UserError(f"{self.path} is {encoding} text, not UTF-8: convert it first, "
                                f"e.g. iconv -f {encoding} -t UTF-8 {self.path} > text.txt")
            raise UserError(
                f"{self.path} looks binary, not UTF-8 text: {nul:,} NUL bytes and {replaced:,} "
                f"invalid sequences in its bytes {self.start:,} to {self.start + size:,}")
