"""Reading text: chunking, decoding, line endings, compression, folders, bad input."""
import bz2
import codecs
import gzip
import lzma
import os
import random
import re
import threading
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpora.read import CHUNK_SIZE, SNIFF_SIZE, ReadStats, list_files, read_chunks, read_text
from npnlp.errors import UserError

# Pieces of UTF-8 that are awkward to split: multibyte characters, CRLF, lone CR,
# a byte-order mark, and invalid sequences (a stray continuation byte, a truncated one).
PIECES = st.sampled_from([
    b"a", b"word ", b" ", b"\n", b"\r\n", b"\r", b"\t", "é".encode(), "€".encode(),
    "𝄞".encode(), "\u00a0".encode(), "\ufffd".encode(), codecs.BOM_UTF8, b"\xff",
    b"\xe2\x82", b"\x80",
])


def read(path, chunk_size):
    """(text, stats) of a file, or "binary" if the reader refuses it."""
    stats = ReadStats()
    try:
        return "".join(read_chunks(path, stats, chunk_size)), stats
    except UserError as e:
        assert "looks binary" in str(e)
        return "binary"


def count_invalid(raw):
    """How many invalid sequences Python's own UTF-8 decoder replaces in `raw`."""
    errors = []
    codecs.register_error("test-count", lambda e: (errors.append(e) or "\ufffd", e.end))
    raw.decode("utf-8", "test-count")
    return len(errors)


@given(st.lists(PIECES, max_size=60).map(b"".join), st.integers(1, 40))
def test_any_chunk_size_reads_like_decoding_the_whole_file(tmp_path_factory, raw, chunk_size):
    path = tmp_path_factory.getbasetemp() / "chunked.txt"
    path.write_bytes(raw)
    result = read(path, chunk_size)
    assert result == read(path, 1 << 20)
    if result != "binary":
        text, stats = result
        expected = raw.decode("utf-8", "replace").removeprefix("\ufeff")
        assert text == expected.replace("\r\n", "\n").replace("\r", "\n")
        assert stats.replaced == count_invalid(raw)
        assert stats.chars == len(text)
        assert stats.lines == text.count("\n") + (text[-1:] not in ("", "\n"))
        assert stats.bytes == len(raw)


def test_long_line_is_read_in_bounded_chunks(tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_text("anarchism originated as a term " * 10_000)
    chunks = list(read_chunks(path, chunk_size=4096))
    assert max(map(len, chunks)) <= 4096
    assert "".join(chunks) == path.read_text()


def write_compressed(path, fmt, data):
    if fmt == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("corpus.txt", data)
    else:
        compress = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[fmt]
        path.write_bytes(compress(data))


@pytest.mark.parametrize("fmt", ["gz", "bz2", "xz", "zip"])
@pytest.mark.parametrize("suffix", ["", ".txt"])  # the format comes from the content
def test_compressed_files_round_trip(tmp_path, fmt, suffix):
    text = "Über café\nnaïve résumé\n" * 2000
    path = tmp_path / f"corpus.{fmt}{suffix}"
    write_compressed(path, fmt, text.encode())
    stats = ReadStats()
    assert "".join(read_chunks(path, stats, chunk_size=1000)) == text
    assert stats.bytes == path.stat().st_size
    assert stats.lines == 4000


def test_zip_members_are_read_in_name_order_one_line_apart(tmp_path):
    path = tmp_path / "corpus.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("b.txt", "second")
        z.writestr("a.txt", "first")
        z.writestr("dir/", "")
    assert "".join(read_chunks(path)) == "first\nsecond"


@pytest.mark.parametrize("fmt", ["gz", "bz2", "xz", "zip"])
def test_truncated_archive_is_a_user_error(tmp_path, fmt):
    path = tmp_path / f"corpus.{fmt}"
    write_compressed(path, fmt, b"some text " * 1000)
    path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(UserError, match=f"corrupt .* file {path}"):
        "".join(read_chunks(path))


def test_gzip_with_a_bad_checksum_is_a_user_error(tmp_path):
    path = tmp_path / "corpus.gz"
    data = bytearray(gzip.compress(b"some text " * 100))
    data[-8] ^= 0xFF  # the CRC32 of the uncompressed data
    path.write_bytes(data)
    with pytest.raises(UserError, match="corrupt gzip"):
        "".join(read_chunks(path))


@pytest.mark.parametrize("name", ["plain.gz", "plain.bz2", "plain.xz", "plain.zip"])
def test_the_content_decides_the_format_not_the_extension(tmp_path, name):
    path = tmp_path / name
    path.write_text("plain text")
    assert "".join(read_chunks(path)) == "plain text"


@pytest.mark.parametrize("data", [bytes(1000), bytes(range(256)) * 50, b"ab\xff\xfe" * 10])
def test_binary_files_are_refused(tmp_path, data):
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    with pytest.raises(UserError, match="looks binary"):
        "".join(read_chunks(path))


def test_invalid_bytes_are_replaced_and_counted(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("le café est très bon, à la française\n".encode("latin-1"))
    stats = ReadStats()
    text = "".join(read_chunks(path, stats))
    assert text == "le caf\ufffd est tr\ufffds bon, \ufffd la fran\ufffdaise\n"
    assert stats.replaced == 4


def test_folder_is_read_recursively_in_sorted_order_skipping_hidden_files(tmp_path):
    for name, text in [("b.txt", "b"), ("a/z.txt", "az"), ("a/b/c.txt", "abc"),
                       (".hidden.txt", "x"), (".git/config", "x"), ("a/.cache/y", "x")]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert [p.relative_to(tmp_path).as_posix() for p in list_files(tmp_path)] == [
        "a/b/c.txt", "a/z.txt", "b.txt"]
    stats = ReadStats()
    assert list(read_text(tmp_path, stats)) == ["abc", "az", "b"]
    assert stats.files == 3


def test_missing_source_and_empty_folder_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="no such file or folder"):
        list_files(tmp_path / "missing.txt")
    (tmp_path / ".only-hidden").write_text("x")
    with pytest.raises(UserError, match="no files in folder"):
        list_files(tmp_path)


def test_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("words")
    with pytest.raises(UserError, match="the path is empty"):
        list_files("")


def test_symbolic_link_loop_and_broken_link_have_their_own_messages(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "broken").symlink_to(tmp_path / "gone.txt")
    with pytest.raises(UserError, match="symbolic link loop"):
        list_files(tmp_path / "loop")
    with pytest.raises(UserError, match="broken symbolic link"):
        list_files(tmp_path / "broken")


def test_unreadable_subfolder_is_reported(tmp_path, monkeypatch):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "a.txt").write_text("words")
    (tmp_path / "b.txt").write_text("words")
    scandir = os.scandir

    def denied(path="."):  # chmod 000 does not stop root, so the refusal is simulated
        if os.fspath(path) == str(tmp_path / "locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    with pytest.raises(UserError, match=f"cannot read folder {tmp_path / 'locked'}: Permission"):
        list_files(tmp_path)


def write_to_fifo(path, data):
    """Make a FIFO at `path` and feed it `data` from a thread, as a writing process would
    (a daemon: if the FIFO is never read, the writer waits forever but does not hang pytest)."""
    os.mkfifo(path)
    thread = threading.Thread(target=path.write_bytes, args=(data,), daemon=True)
    thread.start()
    return thread


def test_fifo_named_explicitly_is_read_as_a_stream(tmp_path):
    thread = write_to_fifo(tmp_path / "fifo", gzip.compress("café au lait\n".encode()))
    stats = ReadStats()
    assert list(read_text(tmp_path / "fifo", stats)) == ["café au lait\n"]
    thread.join(10)
    assert (stats.files, stats.lines, stats.chars) == (1, 1, 13)
    assert stats.bytes == len(gzip.compress("café au lait\n".encode()))


def test_folder_walk_skips_fifos(tmp_path):
    (tmp_path / "a.txt").write_text("words")
    os.mkfifo(tmp_path / "fifo")  # with no writer: reading it would wait forever
    assert list_files(tmp_path) == [tmp_path / "a.txt"]


def test_zip_archive_from_a_stream_is_refused(tmp_path):
    write_compressed(tmp_path / "corpus.zip", "zip", b"words")
    thread = write_to_fifo(tmp_path / "fifo", (tmp_path / "corpus.zip").read_bytes())
    with pytest.raises(UserError, match="cannot read a zip archive from a stream"):
        list(read_text(tmp_path / "fifo"))
    thread.join(10)


def test_binary_data_after_text_is_refused_with_its_position(tmp_path):
    path = tmp_path / "text-then-noise.txt"
    path.write_bytes(b"plain words " * 120_000 + random.Random(0).randbytes(2_000_000))
    with pytest.raises(UserError, match="looks binary") as error:
        "".join(read_chunks(path))
    start = int(re.search(r"in its bytes ([\d,]+) to", str(error.value))[1].replace(",", ""))
    assert 1_000_000 < start < 1_440_000 + CHUNK_SIZE


def test_a_few_invalid_bytes_at_the_end_of_a_text_are_no_binary_data(tmp_path):
    path = tmp_path / "latin1-tail.txt"
    path.write_bytes(b"x" * (SNIFF_SIZE - 1) + b"\n" + "éé\n".encode("latin-1"))
    stats = ReadStats()
    assert "".join(read_chunks(path, stats, chunk_size=SNIFF_SIZE)).endswith("\ufffd\ufffd\n")
    assert stats.replaced == 2
