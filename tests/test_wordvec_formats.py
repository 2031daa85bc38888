"""word2vec text and binary files, the native folder and the projector pair: round trips,
what other tools write, and one-line errors for broken files."""
import gzip
import os
import pickle
import struct
import threading

import numpy as np
import pytest

from npnlp.errors import UserError
from wordvec import KeyedVectors

WORDS = ["</s>", "the", "straße", "東京", "a\u00a0b"]


@pytest.fixture
def kv():
    rng = np.random.default_rng(0)
    return KeyedVectors.from_vectors(WORDS, rng.standard_normal((5, 7)).astype(np.float32) * 10)


def same(a, b):
    assert a.index_to_key == b.index_to_key
    np.testing.assert_array_equal(a.vectors, b.vectors)


@pytest.mark.parametrize("name,binary", [("v.txt", False), ("v.bin", True),
                                         ("v.txt.gz", False), ("v.bin.bz2", True)])
def test_round_trip_is_exact(kv, tmp_path, name, binary):
    kv.save_word2vec_format(tmp_path / name, binary=binary)
    same(KeyedVectors.load_word2vec_format(tmp_path / name), kv)          # format detected
    same(KeyedVectors.load_word2vec_format(tmp_path / name, binary=binary), kv)
    assert [p.name for p in tmp_path.iterdir()] == [name]                 # no temporaries


def word2vec_c_binary(words, vectors, newline=True):
    """The bytes word2vec.c writes (gensim writes no newline after each row)."""
    out = f"{len(words)} {vectors.shape[1]}\n".encode()
    for w, v in zip(words, vectors):
        word = w if isinstance(w, bytes) else w.encode()
        out += word + b" " + struct.pack(f"<{len(v)}f", *v) + (b"\n" if newline else b"")
    return out


@pytest.mark.parametrize("newline", [True, False], ids=["word2vec.c", "gensim"])
def test_reads_binary_files_as_word2vec_c_and_gensim_write_them(kv, tmp_path, newline):
    path = tmp_path / "c.bin"
    path.write_bytes(word2vec_c_binary(WORDS, kv.vectors, newline))
    same(KeyedVectors.load_word2vec_format(path), kv)
    assert KeyedVectors.load_word2vec_format(path, limit=2).index_to_key == WORDS[:2]


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_reads_word2vec_c_text_with_trailing_spaces(tmp_path, bom):
    path = tmp_path / "c.txt"
    path.write_text(bom + "2 3\nthe 0.100000 -0.200000 3.000000 \nof 1 2 3 \n")
    kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == ["the", "of"]
    np.testing.assert_allclose(kv["the"], [0.1, -0.2, 3])


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_reads_text_without_a_header_as_glove_writes_it(tmp_path, bom):
    path = tmp_path / "glove.6B.3d.txt"
    path.write_text(bom + "<pad> 0 0 0\nthe 0.418 0.24968 -0.41242\n"
                    ", 0.013441 0.23682 -0.16899\n\n")   # a padding row first, all zeros
    kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == ["<pad>", "the", ","]
    np.testing.assert_allclose(kv[","], [0.013441, 0.23682, -0.16899])
    with pytest.raises(UserError, match="first line must be"):   # binary files have headers
        KeyedVectors.load_word2vec_format(path, binary=True)


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2028", "\t", "\x1f"])
def test_a_first_word_holding_other_whitespace_is_still_text(tmp_path, space):
    """A word ends at its first ASCII space only (word2vec.c, gensim), so other whitespace
    inside the first word must not make the text look like binary."""
    path = tmp_path / "v.txt"
    path.write_text(f"2 3\nnew{space}york 0.1 0.2 0.3\nb 0.4 0.5 0.6\n")
    kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == [f"new{space}york", "b"]
    np.testing.assert_allclose(kv["b"], [0.4, 0.5, 0.6])


def test_blank_lines_between_binary_rows(tmp_path):
    vectors = np.float32([[1, 2], [3, 4]])
    rows = word2vec_c_binary(["a", "b"], vectors).split(b"\n", 1)[1]
    path = tmp_path / "v.bin"
    path.write_bytes(b"2 2\n" + rows[:10] + b"\n\n" + rows[10:])   # after row a's newline
    kv = KeyedVectors.load_word2vec_format(path, binary=True)
    assert kv.index_to_key == ["a", "b"]
    np.testing.assert_array_equal(kv.vectors, vectors)


def test_a_word_cut_inside_a_utf8_character(tmp_path):
    """word2vec.c cuts words at 100 bytes, possibly in the middle of a character."""
    cut = "é".encode()[:1]
    path = tmp_path / "cut.bin"
    path.write_bytes(word2vec_c_binary([b"ab" + cut, b"ok"], np.ones((2, 2), np.float32)))
    with pytest.raises(UserError, match=r"row 1: the word 'ab\\xc3' is not valid UTF-8"):
        KeyedVectors.load_word2vec_format(path)
    assert KeyedVectors.load_word2vec_format(path, unicode_errors="replace").index_to_key == [
        "ab\ufffd", "ok"]
    assert KeyedVectors.load_word2vec_format(path, unicode_errors="ignore").index_to_key == [
        "ab", "ok"]


def test_native_folder_is_memory_mapped_and_keeps_counts(kv, tmp_path):
    kv.counts = np.arange(5, 0, -1)
    kv.save(tmp_path / "model")
    loaded = KeyedVectors.load(tmp_path / "model")
    same(loaded, kv)
    assert isinstance(loaded.vectors, np.memmap)
    assert loaded.counts.tolist() == [5, 4, 3, 2, 1]
    kv.vectors = kv.vectors * 2
    kv.save(tmp_path / "model")   # replaces the previous save
    same(KeyedVectors.load(tmp_path / "model", mmap=False), kv)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_an_empty_array_in_a_native_folder_is_named(kv, tmp_path):
    kv.save(tmp_path / "model")
    (tmp_path / "model" / "vectors.npy").write_bytes(b"")
    with pytest.raises(UserError, match=r"damaged saved vectors \(vectors.npy: empty\)"):
        KeyedVectors.load(tmp_path / "model")


def test_native_save_refuses_to_replace_a_folder_it_did_not_write(kv, tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(UserError, match="not a folder of saved vectors"):
        kv.save(tmp_path / "photos")
    assert (tmp_path / "photos" / "cat.jpg").exists()


def test_projector_pair(kv, tmp_path):
    kv.save_projector(tmp_path / "proj")
    rows = (tmp_path / "proj" / "vectors.tsv").read_text().splitlines()
    assert len(rows) == 5 and len(rows[0].split("\t")) == 7
    np.testing.assert_array_equal(np.float32(rows[2].split("\t")), kv.vectors[2])
    assert (tmp_path / "proj" / "metadata.tsv").read_text().splitlines() == WORDS


BROKEN = {
    "short first row": (b"2 3\nthe 1 2\nof 1 2 3\n", r"line 2: expected the word 'the' and 3 "
                        r"numbers, found 2 fields after it"),   # once taken as binary
    "empty": (b"", "is empty"),
    "neither header nor row": (b"the quick fox\n", "first line must be '<words> "
                               "<dimensions>' or a word and its numbers, not 'the quick fox'"),
    "bad header": (b"2 x\n", "first line must be"),
    "short row": (b"2 3\nthe 1 2 3\nof 1 2\n", r"line 3: expected the word 'of' and 3 "
                  r"numbers, found 2"),
    "not a number": (b"2 3\nthe 1 2 3\nof 1 two 3\n", "line 3: expected the word 'of' and 3 "
                     "numbers; 'two' is not a number"),
    "not a number in the first row": (b"2 3\nthe 1 2 x\nof 1 2 3\n", "line 2: .*'x' is not"),
    "truncated text": (b"3 2\nthe 1 2\nof 1 2\n", "has 2 rows where its header announces 3"),
    "miscounts that cancel out": (b"3 2\na 1 2\nb 3 4 5\nc 6\n",
                                  "line 3: expected the word 'b' and 2 numbers, found 3"),
    "headerless short row": (b"the .1 .2\nof .3\n", "line 2: expected the word 'of' and 2"),
    "headerless empty line": (b"the .1 .2\n\nof .3 .4\n", "line 2: an empty line"),
    "empty line after the header": (b"2 2\n\nthe 1 2\nof 1 2\n", "line 2: an empty line"),
    "empty line between rows": (b"2 2\nthe 1 2\n\nof 1 2\n", "line 3: an empty line"),
    "a vocabulary, not vectors": (b"the 1061396\nof 593677\n", "first line must be"),
    "an empty gzip file": (gzip.compress(b""), "broken.vec is empty"),
    "non-finite": (b"2 2\nthe 1 2\nof nan 2\n", "line 3: the vector holds a NaN"),
    "a gensim pickle": (pickle.dumps({"vectors": [1.0]}, protocol=4), "is a Python pickle "
                        "\\(gensim's model.save\\(\\) or kv.save\\(\\)\\)"),
    "truncated binary": (word2vec_c_binary(["a", "b"], np.ones((2, 4), np.float32))[:-9],
                         "ends in row 2 of the 2 its header announces"),
    "random bytes": (bytes(range(256)) * 4, "not in word2vec format: .* not binary data$"),
    "an npz": (b"PK\x03\x04" + bytes(200), "not a zip archive \\(a NumPy .npz"),
    "a tab-separated table": (b"\xef\xbb\xbfword\tscore\r\n", r"not 'word\\tscore\\r'$"),
}


@pytest.mark.parametrize("case", BROKEN)
def test_broken_files_are_one_line_user_errors_naming_the_file(tmp_path, case):
    content, message = BROKEN[case]
    path = tmp_path / "broken.vec"
    path.write_bytes(content)
    with pytest.raises(UserError, match=message) as error:
        KeyedVectors.load_word2vec_format(path)
    assert str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_reads_a_fifo_as_a_stream(kv, tmp_path):
    """`<(zcat v.bin)` is a pipe: it has no size and cannot be memory-mapped."""
    kv.save_word2vec_format(tmp_path / "v.bin", binary=True)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    threading.Thread(target=fifo.write_bytes, args=((tmp_path / "v.bin").read_bytes(),),
                     daemon=True).start()
    same(KeyedVectors.load_word2vec_format(fifo), kv)


def test_gzip_is_recognised_by_content_not_name(kv, tmp_path):
    plain = tmp_path / "v.txt"
    kv.save_word2vec_format(plain)
    disguised = tmp_path / "vectors"
    disguised.write_bytes(gzip.compress(plain.read_bytes()))
    same(KeyedVectors.load_word2vec_format(disguised), kv)


@pytest.mark.parametrize("binary", [False, True])
def test_gensim_reads_ours_and_we_read_gensims(kv, tmp_path, binary):
    gensim = pytest.importorskip("gensim")
    ours = tmp_path / "ours"
    kv.save_word2vec_format(ours, binary=binary)
    theirs = gensim.models.KeyedVectors.load_word2vec_format(ours, binary=binary)
    assert list(theirs.index_to_key) == WORDS
    np.testing.assert_array_equal(theirs.vectors, kv.vectors)
    theirs.save_word2vec_format(tmp_path / "theirs", binary=binary)
    same(KeyedVectors.load_word2vec_format(tmp_path / "theirs"), kv)
