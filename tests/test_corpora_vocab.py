"""Word vocabulary: ordering, cut-offs, lookups, and the word2vec.c vocabulary format."""
from collections import Counter

import numpy as np
import pytest

from corpora.vocab import Vocab
from npnlp.errors import UserError

# first-seen order, with a tie between "b" and "c"
WORDS = ["b", "a", "c", "d"]
COUNTS = [2, 3, 2, 1]


@pytest.mark.parametrize("options, words, counts", [
    ({}, ["a", "b", "c", "d"], [3, 2, 2, 1]),
    ({"min_count": 2}, ["a", "b", "c"], [3, 2, 2]),
    ({"max_vocab": 2}, ["a", "b"], [3, 2]),
    ({"min_count": 2, "unk": "<unk>"}, ["<unk>", "a", "b", "c"], [1, 3, 2, 2]),
    ({"max_vocab": 1, "unk": "b"}, ["b", "a"], [5, 3]),  # a word of the corpus as unk
])
def test_from_counts_orders_by_count_then_first_seen(options, words, counts):
    vocab = Vocab.from_counts(WORDS, COUNTS, **options)
    assert vocab.index_to_key == words
    assert vocab.counts.tolist() == counts
    assert vocab.counts.dtype == np.int64


def test_from_counts_takes_a_counter():
    counter = Counter("the cat saw the dog and the cat".split())
    vocab = Vocab.from_counts(counter.keys(), counter.values(), min_count=2)
    assert list(vocab) == ["the", "cat"]


def test_empty_vocabulary_is_a_user_error():
    with pytest.raises(UserError, match="no word occurs at least 4 times"):
        Vocab.from_counts(WORDS, COUNTS, min_count=4)
    with pytest.raises(UserError, match="at least 1"):
        Vocab.from_counts(WORDS, COUNTS, max_vocab=0)


def test_lookups():
    vocab = Vocab(["the", "of", "<unk>"], [5, 3, 1])
    assert len(vocab) == 3 and "of" in vocab and "and" not in vocab
    assert vocab.get_index("of") == 1 and vocab.index_to_key[1] == "of"
    with pytest.raises(KeyError, match="'and' is not in the vocabulary"):
        vocab.get_index("and")
    tokens = ["of", "and", "the", "the", "cat"]
    assert vocab.to_ids(tokens).tolist() == [1, 0, 0]
    assert vocab.lookup(tokens).tolist() == [1, -1, 0, 0, -1]
    with_unk = Vocab(vocab.index_to_key, vocab.counts, unk="<unk>")
    assert with_unk.to_ids(iter(tokens)).tolist() == [1, 2, 0, 0, 2]
    assert vocab.to_ids([]).dtype == np.int32


def test_vocabulary_remembers_its_unk(tmp_path):
    """A Vocab built with `unk` maps unknown words to it without being told again, so that
    the pooled count of `unk` and the encoded corpus agree."""
    vocab = Vocab.from_counts(["a", "b", "c"], [5, 1, 1], min_count=2, unk="<unk>")
    assert vocab.to_ids(["a", "b", "zzz"]).tolist() == [1, 0, 0]
    assert vocab.counts.tolist() == [2, 5]


@pytest.mark.parametrize("kwargs,message", [
    ({"min_count": 2.5}, "min_count must be a whole number"),
    ({"max_vocab": 2.5}, "max_vocab must be a whole number"),
    ({"min_count": 0}, "min_count must be a whole number"),
])
def test_bad_limits_are_user_errors(kwargs, message):
    with pytest.raises(UserError, match=message):
        Vocab.from_counts(WORDS, COUNTS, **kwargs)


@pytest.mark.parametrize("words,counts,message", [
    (["a", "b"], [3, -1], "non-negative integers"),
    (["a", "b"], [3], "2 words but 1 counts"),
    (["a"], [3, 2], "1 words but 2 counts"),
    (["a", "b"], [1.5, 2], "non-negative integers"),
])
def test_bad_counts_are_user_errors(words, counts, message):
    with pytest.raises(UserError, match=message):
        Vocab.from_counts(words, counts)


def test_user_errors_are_value_errors():
    with pytest.raises(ValueError):
        Vocab.from_counts(["a"], [1], min_count=5)


def test_duplicate_words_are_refused():
    with pytest.raises(UserError, match="'a' is in the vocabulary twice"):
        Vocab(["a", "b", "a"], [3, 2, 1])


def test_save_load_round_trip(tmp_path):
    vocab = Vocab(["the", "straße", "東京", "a\u00a0b"], [10, 2, 1, 1])
    vocab.save(tmp_path / "vocab.txt")
    assert (tmp_path / "vocab.txt").read_text(encoding="utf-8") == (
        "the 10\nstraße 2\n東京 1\na\u00a0b 1\n")
    loaded = Vocab.load(tmp_path / "vocab.txt")
    assert loaded.index_to_key == vocab.index_to_key and loaded.counts.tolist() == [10, 2, 1, 1]


def test_load_reads_word2vec_c_vocab_files(tmp_path):
    # the head of `word2vec -train text8 -save-vocab vocab.txt`: </s> first, count 0
    (tmp_path / "vocab.txt").write_text("</s> 0\nthe 1061396\nof 593677\nand 416629\n")
    vocab = Vocab.load(tmp_path / "vocab.txt")
    assert vocab.index_to_key == ["</s>", "the", "of", "and"]
    assert vocab.counts.tolist() == [0, 1061396, 593677, 416629]


@pytest.mark.parametrize("content, message", [
    (b"the 10\nof\n", "line 2: expected 'word count'"),
    (b"the ten\n", "line 1: expected 'word count'"),
    (b"\n\n", "no words"),
    (b"caf\xe9 3\n", "not a UTF-8 text file"),
])
def test_load_refuses_malformed_files(tmp_path, content, message):
    (tmp_path / "vocab.txt").write_bytes(content)
    with pytest.raises(UserError, match=message):
        Vocab.load(tmp_path / "vocab.txt")
