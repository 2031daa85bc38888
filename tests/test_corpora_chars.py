"""Character vocabulary: ordering, encoding and decoding, unknown characters, files."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpora.chars import CharVocab
from corpora.read import read_text
from npnlp.errors import UserError


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


def test_tiny_shakespeare_has_65_characters(data_file):
    path = data_file("tinyshakespeare.txt")
    vocab = CharVocab.build(read_text(path))
    assert len(vocab) == 65
    text = path.read_text(encoding="ascii")
    ids = vocab.encode(text)
    assert ids[:5].tolist() == [18, 47, 56, 57, 58]  # "First", as in char-rnn and nanoGPT
    assert vocab.decode(ids) == text
