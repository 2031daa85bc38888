"""A corpus as integer arrays: types in first-seen order, sentence offsets, encoding with a
vocabulary, and the on-disk cache that words and characters share."""
import os
import shutil

import numpy as np
import pytest

from corpora.chars import load_chars
from corpora.corpus import load_corpus
from corpora.tokenize import Tokenizer
from corpora.vocab import Vocab
from npnlp.errors import UserError
from npnlp.files import atomic_write, cache_root

LINES = "the cat sat\n\nthe dog\nbird\nsat the cat\n"


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(LINES)
    return path


# Both loaders, with the names of what they read (changes when the text does) and their ids.
LOADERS = pytest.mark.parametrize("load, read, ids", [
    (load_corpus, "types", "type_ids"), (load_chars, "chars", "ids")], ids=["words", "chars"])


def rewrite(path, old, new, touch=False):
    """Replace `old` with `new`, as long, in the file. To the cache, keyed by path, size and
    modification time, it is the same file unless `touch` moves the time on; so a load that
    shows `new` has read the file again, and one that does not has served the cache."""
    assert len(old.encode()) == len(new.encode())
    stat = path.stat()
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + touch * 10**9))


def test_lines_are_sentences_and_types_are_in_first_seen_order(corpus_file, tmp_path):
    corpus = load_corpus(corpus_file, Tokenizer(sentence_per_line=True), cache_dir=tmp_path)
    assert corpus.types == ["the", "cat", "sat", "dog", "bird"]
    assert corpus.counts.tolist() == [3, 2, 2, 1, 1]
    assert corpus.type_ids.tolist() == [0, 1, 2, 0, 3, 4, 2, 0, 1]
    assert corpus.type_ids.dtype == np.int32
    assert corpus.offsets.tolist() == [0, 3, 5, 6, 9]  # the empty line is no sentence
    assert corpus.offsets.dtype == np.int64
    assert (corpus.stats.lines, corpus.stats.chars) == (5, len(LINES))


def test_a_line_or_without_lines_a_file_is_a_sentence(tmp_path):
    """Lines by default, as word2vec.c and gensim's LineSentence read text."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("one two\nthree")
    (tmp_path / "corpus" / "b.txt").write_text("four")
    assert load_corpus(tmp_path / "corpus", cache=False).offsets.tolist() == [0, 2, 3, 4]
    corpus = load_corpus(tmp_path / "corpus", Tokenizer(sentence_per_line=False), cache=False)
    assert corpus.offsets.tolist() == [0, 3, 4]


def test_encode_drops_out_of_vocabulary_tokens_and_emptied_sentences(corpus_file):
    corpus = load_corpus(corpus_file, Tokenizer(sentence_per_line=True), cache=False)
    vocab = Vocab.from_counts(corpus.types, corpus.counts, min_count=2)
    assert vocab.index_to_key == ["the", "cat", "sat"]
    encoded = corpus.encode(vocab)
    assert encoded.ids.tolist() == [0, 1, 2, 0, 2, 0, 1]
    assert encoded.offsets.tolist() == [0, 3, 4, 7]  # "bird" was a sentence of its own
    assert (encoded.ids.dtype, encoded.offsets.dtype) == (np.int32, np.int64)


def test_encode_maps_out_of_vocabulary_tokens_to_unk(corpus_file):
    corpus = load_corpus(corpus_file, Tokenizer(sentence_per_line=True), cache=False)
    vocab = Vocab.from_counts(corpus.types, corpus.counts, min_count=2, unk="<unk>")
    encoded = corpus.encode(vocab)
    assert encoded.ids.tolist() == [1, 2, 3, 1, 0, 0, 3, 1, 2]
    assert encoded.offsets.tolist() == corpus.offsets.tolist()


@LOADERS
def test_second_load_serves_the_cache_memory_mapped(load, read, ids, corpus_file, tmp_path):
    first = load(corpus_file, cache_dir=tmp_path / "cache")
    rewrite(corpus_file, "cat", "cow")
    second = load(corpus_file, cache_dir=tmp_path / "cache")
    assert isinstance(getattr(second, ids), np.memmap)
    assert getattr(second, read) == getattr(first, read)  # no "cow": the text was not read
    assert second.stats == first.stats
    np.testing.assert_array_equal(second.counts, first.counts)
    np.testing.assert_array_equal(getattr(second, ids), getattr(first, ids))
    shutil.rmtree(tmp_path / "cache")  # the entry was there, so now the text is read again
    assert getattr(load(corpus_file, cache_dir=tmp_path / "cache"), read) != getattr(first, read)


@LOADERS
@pytest.mark.parametrize("damage", ["empty", "cut short"])
def test_a_damaged_cache_entry_is_built_again(load, read, ids, corpus_file, tmp_path, damage):
    # a copy: cutting a file that is still memory-mapped would end the test with SIGBUS
    expected = np.array(getattr(load(corpus_file, cache_dir=tmp_path / "cache"), ids))
    for array in (tmp_path / "cache").rglob("*.npy"):
        array.write_bytes(b"" if damage == "empty" else array.read_bytes()[:100])
    for _ in range(2):   # read from the text again, then from the entry written again
        np.testing.assert_array_equal(getattr(load(corpus_file, cache_dir=tmp_path / "cache"),
                                              ids), expected)


@LOADERS
def test_cache_is_keyed_by_file_identity(load, read, ids, corpus_file):
    seen = [getattr(load(corpus_file), read)]
    rewrite(corpus_file, "cat", "cow", touch=True)  # same size, later modification time
    seen.append(getattr(load(corpus_file), read))
    corpus_file.write_text(LINES + "more words\n")  # another size
    seen.append(getattr(load(corpus_file), read))
    assert seen[0] != seen[1] != seen[2]


def test_cache_is_keyed_by_tokenizer_settings(tmp_path):
    (tmp_path / "corpus.txt").write_text("The cat\n")
    assert load_corpus(tmp_path / "corpus.txt").types == ["The", "cat"]
    assert load_corpus(tmp_path / "corpus.txt", Tokenizer(lowercase=True)).types == ["the", "cat"]


@LOADERS
def test_no_cache_writes_nothing(load, read, ids, corpus_file, tmp_path):
    corpus = load(corpus_file, cache=False, cache_dir=tmp_path / "cache")
    assert not isinstance(getattr(corpus, ids), np.memmap)
    assert not (tmp_path / "cache").exists()


@LOADERS
def test_a_failed_run_leaves_no_cache_entry(load, read, ids, tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("good text")
    (tmp_path / "corpus" / "b.bin").write_bytes(bytes(1000))
    with pytest.raises(UserError, match="looks binary"):
        load(tmp_path / "corpus", cache_dir=tmp_path / "cache")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]  # nor temporary files


def test_a_source_with_the_longest_name_is_cached(tmp_path):
    source = tmp_path / ("語" * 85)  # 255 bytes of UTF-8
    source.write_text("some words")
    load_corpus(source, cache_dir=tmp_path / "cache")
    again = load_corpus(source, cache_dir=tmp_path / "cache")
    assert isinstance(again.type_ids, np.memmap) and again.types == ["some", "words"]


def test_unusable_cache_folder_is_reported_before_reading(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    (tmp_path / "blob.bin").write_bytes(bytes(1000))  # reading it would fail: "looks binary"
    with pytest.raises(UserError, match="cannot make folder .*: Not a directory"):
        load_corpus(tmp_path / "blob.bin", cache_dir=tmp_path / "file")


def test_read_only_cache_still_serves_its_entries(corpus_file, tmp_path):
    load_corpus(corpus_file, cache_dir=tmp_path / "cache")
    os.chmod(tmp_path / "cache" / "tokens", 0o555)
    try:
        assert isinstance(load_corpus(corpus_file, cache_dir=tmp_path / "cache").type_ids,
                          np.memmap)
    finally:
        os.chmod(tmp_path / "cache" / "tokens", 0o755)


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path) as f:
            f.write("half of the new")
            raise KeyboardInterrupt
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_cache_root(monkeypatch, tmp_path):
    monkeypatch.setenv("NPNLP_CACHE_DIR", str(tmp_path / "npnlp"))
    assert cache_root() == tmp_path / "npnlp"
    monkeypatch.delenv("NPNLP_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "npnlp"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "npnlp"


def test_text8_head(data_file):
    corpus = load_corpus(data_file("text8-head.txt"), Tokenizer(whitespace=True))
    assert corpus.type_ids.size == 2_333_562
    assert corpus.offsets.tolist() == [0, 2_333_562]
    vocab = Vocab.from_counts(corpus.types, corpus.counts, min_count=5)
    assert vocab.index_to_key[:5] == ["the", "of", "one", "and", "in"]
    encoded = corpus.encode(vocab)
    assert encoded.ids.size == vocab.counts.sum()
    np.testing.assert_array_equal(np.bincount(encoded.ids), vocab.counts)


def test_empty_path_is_refused_not_read_as_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("words")
    with pytest.raises(UserError, match="the path is empty"):
        load_corpus("")


@pytest.mark.parametrize("encoding,named", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16LE"),
                                            ("utf-16-be", "UTF-16BE"), ("utf-32", "UTF-32")])
def test_a_utf16_or_utf32_text_is_named_with_the_command_that_converts_it(
        tmp_path, encoding, named):
    path = tmp_path / "wide.txt"
    path.write_bytes("the cat sat on the mat\n".encode(encoding) * 100)
    with pytest.raises(UserError, match=f"is {named} text, not UTF-8: convert it first, "
                                        f"e.g. iconv -f {named} -t UTF-8"):
        load_corpus(path, cache=False)
    path.write_bytes(bytes(1000))   # NUL bytes alone are not UTF-16
    with pytest.raises(UserError, match="looks binary"):
        load_corpus(path, cache=False)
