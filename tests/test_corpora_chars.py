"""Characters as ids: a text streamed into a CharCorpus exactly as if encoded whole, and the
character vocabulary: ordering, encoding and decoding, unknown characters, files."""
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpora.chars import CharVocab, load_chars
from npnlp.errors import UserError

# One- to four-byte UTF-8 characters, CR and LF, and U+FFFD as valid input.
TEXTS = st.text(alphabet="ab é\u00a0東\ufffd𝄞\r\n\t", min_size=1, max_size=60)


def test_chars_are_ordered_by_code_point():
    vocab = CharVocab.build(["hello ", "wörld\n"])
    assert vocab.chars == "\n dehlorwö"
    assert vocab.encode("held").tolist() == [4, 3, 5, 2]
    assert vocab.encode("").dtype == np.int32


@given(st.text(min_size=1))
def test_encode_decode_round_trip(text):
    vocab = CharVocab.build(text)
    assert vocab.decode(vocab.encode(text)) == text


def test_unseen_characters_are_an_error_or_unk():
    with pytest.raises(UserError, match=r"'x' \(U\+0078\) is not in the vocabulary"):
        CharVocab("abc").encode("abx")
    vocab = CharVocab("abc", unk="\ufffd")
    assert len(vocab) == 4 and "\ufffd" in vocab
    assert vocab.decode(vocab.encode("axbé")) == "a\ufffdb\ufffd"
    with pytest.raises(UserError, match="one character"):
        CharVocab("abc", unk="<unk>")


def test_save_load_round_trip(tmp_path):
    vocab = CharVocab("\n\t\"\\ aé東𝄞", unk="?")
    vocab.save(tmp_path / "chars.json")
    loaded = CharVocab.load(tmp_path / "chars.json")
    assert (loaded.chars, loaded.unk) == (vocab.chars, "?")
    (tmp_path / "bad.json").write_text("the 10\n")
    with pytest.raises(UserError, match="not a character vocabulary"):
        CharVocab.load(tmp_path / "bad.json")


@given(TEXTS, st.integers(1, 12))
def test_text_read_in_any_chunk_size_encodes_like_the_whole_text(tmp_path_factory, text,
                                                                  chunk_size):
    path = tmp_path_factory.getbasetemp() / "chars.txt"
    path.write_bytes(text.encode())  # chunks of a few bytes split characters and CRLFs
    read = text.replace("\r\n", "\n").replace("\r", "\n")
    corpus = load_chars(path, cache=False, chunk_size=chunk_size)
    assert corpus.chars == "".join(sorted(set(read)))
    assert dict(zip(corpus.chars, corpus.counts.tolist())) == Counter(read)
    vocab = CharVocab(corpus.chars)
    assert corpus.ids.dtype == (np.uint8 if len(corpus.chars) <= 256 else np.uint16)
    assert corpus.ids.tolist() == vocab.encode(read).tolist()
    assert vocab.decode(corpus.encode(vocab)) == read


def test_cached_corpus_equals_the_one_read_and_is_memory_mapped(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text("héllo\r\n")
    (tmp_path / "corpus" / "b.txt").write_text("東京 𝄞")
    read = load_chars(tmp_path / "corpus", cache=False)
    cached = load_chars(tmp_path / "corpus", cache_dir=tmp_path / "cache")
    assert isinstance(cached.ids, np.memmap)
    assert (cached.chars, cached.stats) == (read.chars, read.stats)
    np.testing.assert_array_equal(cached.counts, read.counts)
    np.testing.assert_array_equal(cached.ids, read.ids)
    vocab = CharVocab(read.chars)
    assert vocab.decode(cached.ids) == "héllo\n東京 𝄞"


@pytest.mark.parametrize("cache", [True, False])
def test_empty_text_is_a_user_error(tmp_path, cache):
    (tmp_path / "empty.txt").write_bytes(b"\xef\xbb\xbf")  # a byte-order mark and nothing
    with pytest.raises(UserError, match="empty.txt is empty"):
        load_chars(tmp_path / "empty.txt", cache=cache, cache_dir=tmp_path / "cache")
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and p.name != "empty.txt"]


def test_encode_with_the_corpus_characters_is_the_cached_ids_themselves(tmp_path):
    (tmp_path / "a.txt").write_text("abcab")
    corpus = load_chars(tmp_path / "a.txt")
    assert corpus.encode(CharVocab(corpus.chars)) is corpus.ids
    assert corpus.encode(CharVocab(corpus.chars, unk="\ufffd")) is corpus.ids  # unk last
    assert corpus.encode(CharVocab(corpus.chars, unk="_")).tolist() == [1, 2, 3, 1, 2]


def test_rare_characters_become_unk_or_are_an_error(tmp_path):
    (tmp_path / "a.txt").write_text("aaabbc\n")
    corpus = load_chars(tmp_path / "a.txt")
    pooled = CharVocab.from_counts(corpus.chars, corpus.counts, min_count=2, unk="?")
    assert pooled.chars == "?ab"
    assert pooled.decode(corpus.encode(pooled)) == "aaabb??"
    strict = CharVocab.from_counts(corpus.chars, corpus.counts, min_count=2)
    with pytest.raises(UserError, match=r"'c' \(U\+0063\) at position 5 of the text is not in"):
        corpus.encode(strict)
    with pytest.raises(UserError, match="min_count must be a whole number"):
        CharVocab.from_counts(corpus.chars, corpus.counts, min_count=0)
    with pytest.raises(UserError, match="4 characters but counts of shape"):
        CharVocab.from_counts(corpus.chars, [1, 2])


def test_tiny_shakespeare_has_65_characters(data_file):
    path = data_file("tinyshakespeare.txt")
    corpus = load_chars(path)
    vocab = CharVocab(corpus.chars)
    assert len(vocab) == 65
    assert corpus.ids[:5].tolist() == [18, 47, 56, 57, 58]  # "First", as in char-rnn, nanoGPT
    text = path.read_text(encoding="ascii")
    np.testing.assert_array_equal(corpus.ids, vocab.encode(text))
    assert vocab.decode(corpus.ids) == text


@pytest.mark.parametrize("distinct,itemsize", [(200, 1), (300, 2), (70_000, 4)])
def test_ids_take_the_fewest_bytes_their_characters_need(tmp_path, distinct, itemsize):
    """A text of at most 256 distinct characters (most) is cached at 1 byte a character, not
    4; at most 65,536, at 2."""
    chars = [chr(c) for c in range(0x10000, 0x10000 + distinct)]   # beyond the surrogates
    path = tmp_path / "t.txt"
    path.write_text("".join(chars) * 2)
    corpus = load_chars(path, cache_dir=tmp_path / "cache")
    assert corpus.ids.dtype.itemsize == itemsize and len(corpus.ids) == 2 * distinct
    assert CharVocab(corpus.chars).decode(corpus.ids) == "".join(chars) * 2
    ids_file = next((tmp_path / "cache" / "chars").glob("*.ids.npy"))
    assert ids_file.stat().st_size < 2 * distinct * itemsize + 200
