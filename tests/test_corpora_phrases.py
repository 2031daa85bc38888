"""Phrases: hand-checked counts and scores on small texts, left-to-right joining, connector
words, passes, files, the commands, and gensim's phrases where it is installed."""
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from corpora import ENGLISH_CONNECTOR_WORDS, Phrases, Tokenizer, corpus_of_sentences, load_corpus
from corpora.cli import main as corpora_main
from npnlp.errors import UserError
from wordvec import KeyedVectors
from wordvec.cli import main as wordvec_main

# "new york" 6 times; "new" once more alone, "york" once more alone
TEXT = [["i", "love", "new", "york"]] * 3 + [["new", "york", "is", "big"]] * 3 + \
       [["new", "car"], ["york", "minster"], ["i", "love", "tea"]]


def counted(sentences):
    words = [w for s in sentences for w in s]
    return {w: words.count(w) for w in set(words)}, len(words)


def test_the_default_score_by_hand():
    phrases = Phrases(TEXT, min_count=1, threshold=1.0)
    counts, n = counted(TEXT)
    pairs = {(a, b) for s in TEXT for a, b in zip(s, s[1:])}
    len_vocab = len(counts) + len(pairs)
    expected = (6 - 1) / (7 * 7) * len_vocab
    assert phrases.phrasegrams["new_york"] == pytest.approx(expected, rel=1e-12)
    scores = {a + "_" + b: (sum(s[i:i + 2] == [a, b] for s in TEXT for i in range(len(s)))
                            - 1) / (counts[a] * counts[b]) * len_vocab for a, b in pairs}
    assert set(phrases.phrasegrams) == {p for p, s in scores.items() if s > 1.0}


def test_word2phrase_and_npmi_scores_by_hand():
    counts, n = counted(TEXT)
    w2p = Phrases(TEXT, min_count=3, threshold=0, scoring="word2phrase")
    assert w2p.phrasegrams == pytest.approx({"new_york": (6 - 3) / 7 / 7 * n,
                                             "i_love": (4 - 3) / 4 / 4 * n}, rel=1e-6)
    npmi = Phrases(TEXT, min_count=6, threshold=0.1, scoring="npmi")
    p = 6 / n
    assert npmi.phrasegrams == pytest.approx(
        {"new_york": math.log(p / (7 / n) ** 2) / -math.log(p)})


def test_joining_reads_left_to_right_within_sentences():
    phrases = Phrases([["a", "b", "c"]] * 10 + [["b", "c"]] * 10, min_count=1, threshold=0)
    assert {"a_b", "b_c"} <= set(phrases.phrasegrams)
    assert phrases[["a", "b", "c", "a", "b"]] == ["a_b", "c", "a_b"]
    assert phrases[["x", "b", "c", "d"]] == ["x", "b_c", "d"]
    assert list(phrases[[["a"], ["b"], [], ["b", "c"]]]) == [["a"], ["b"], [], ["b_c"]]


def test_connector_words_sit_inside_phrases_only():
    text = [["bank", "of", "america", "rules"]] * 6 + [["the", "bank", "said"], ["of", "war"]]
    phrases = Phrases(text, min_count=1, threshold=0.5,
                      connector_words=ENGLISH_CONNECTOR_WORDS)
    assert "bank_of_america" in phrases.phrasegrams
    assert not any(p.startswith(("of_", "the_")) or p.endswith("_of")
                   for p in phrases.phrasegrams)
    assert phrases[["the", "bank", "of", "america"]] == ["the", "bank_of_america"]


def test_a_second_pass_joins_longer_phrases_and_saves_them(tmp_path):
    text = [[f"x{i}", "new", "york", "times", f"y{i}"] for i in range(20)] + \
           [["new", "cars"], ["old", "york"], ["big", "times"]]
    phrases = Phrases(text, min_count=3, threshold=1.0, passes=2)
    assert phrases[["the", "new", "york", "times"]] == ["the", "new_york_times"]
    phrases.save(tmp_path / "p.txt")
    lines = (tmp_path / "p.txt").read_text().splitlines()
    assert any(line.startswith("2\tnew_york times\t20\t") or
               line.startswith("2\tnew york_times\t20\t") for line in lines)
    loaded = Phrases.load(tmp_path / "p.txt")
    assert loaded.phrasegrams == phrases.phrasegrams and loaded.key() == phrases.key()
    assert loaded[["the", "new", "york", "times"]] == phrases[["the", "new", "york", "times"]]


def test_a_joined_phrase_is_the_same_token_as_one_already_written_joined():
    text = [["new", "york"]] * 5 + [["new_york", "city"]]
    corpus = Phrases(text, min_count=1, threshold=0).apply(corpus_of_sentences(text))
    assert corpus.types.count("new_york") == 1
    assert corpus.counts[corpus.types.index("new_york")] == 6


def random_text(n=300):
    rng = np.random.default_rng(0)
    return [[f"w{i}" for i in rng.integers(0, 300, 20)] for _ in range(n)] + \
        [["new", "york"]] * 50


def test_counting_block_by_block_gives_the_same_phrases(monkeypatch):
    whole = Phrases(random_text(), min_count=1, threshold=0).phrasegrams
    monkeypatch.setattr("corpora.phrases.BLOCK_TOKENS", 50)
    assert Phrases(random_text(), min_count=1, threshold=0).phrasegrams == whole


def test_pruning_bounds_what_is_counted(monkeypatch):
    monkeypatch.setattr("corpora.phrases.BLOCK_TOKENS", 500)
    whole = Phrases(random_text(), min_count=1, threshold=0)
    pruned = Phrases(random_text(), min_count=1, threshold=0, max_vocab_size=500)
    assert "new_york" in pruned.phrasegrams and len(pruned) < len(whole) / 5


@pytest.mark.parametrize("kwargs, message", [
    ({"scoring": "pmi"}, "scoring must be one of"),
    ({"scoring": "npmi", "threshold": 10}, "npmi scores lie in"),
    ({"delimiter": " "}, "delimiter"),
    ({"min_count": 0}, "min_count"),
])
def test_bad_settings(kwargs, message):
    with pytest.raises(UserError, match=message):
        Phrases(TEXT, **kwargs)


def test_a_file_that_is_not_phrases(tmp_path):
    (tmp_path / "x.txt").write_text("new york 5 100\n")
    with pytest.raises(UserError, match="not a phrases file"):
        Phrases.load(tmp_path / "x.txt")
    Phrases(TEXT, min_count=1, threshold=1).save(tmp_path / "p.txt")
    (tmp_path / "p.txt").write_text((tmp_path / "p.txt").read_text() + "1\tbroken\n")
    with pytest.raises(UserError, match="expected 'pass<TAB>words"):
        Phrases.load(tmp_path / "p.txt")


def run(main, *args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def text_file(tmp_path):
    rng = np.random.default_rng(1)
    filler = [f"w{i}" for i in range(60)]
    lines = []
    for i in range(600):
        words = list(rng.choice(filler, 8))
        words.insert(int(rng.integers(0, 8)), "new york" if i % 3 else "san francisco")
        lines.append(" ".join(words))
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_commands_learn_apply_and_train_on_phrases(text_file, tmp_path):
    out = tmp_path / "phrases.txt"
    result = run(corpora_main, "phrases", text_file, "-o", out, "--threshold", "5")
    assert result.exit_code == 0, result.output
    learned = Phrases.load(out)
    assert {"new_york", "san_francisco"} <= set(learned.phrasegrams)
    joined = tmp_path / "joined.txt"
    assert run(corpora_main, "tokenize", text_file, "--phrases", out, "-o", joined).exit_code == 0
    expected = [learned[line.split()] for line in text_file.read_text().splitlines()]
    assert [line.split() for line in joined.read_text().splitlines()] == expected
    # the joined corpus read back is the corpus joined in memory: types, ids, sentences
    direct = learned.apply(load_corpus(text_file, Tokenizer()))
    reread = load_corpus(joined, Tokenizer())
    assert direct.types == reread.types
    np.testing.assert_array_equal(direct.type_ids, reread.type_ids)
    np.testing.assert_array_equal(direct.offsets, reread.offsets)
    model = tmp_path / "model"
    result = run(wordvec_main, "train", text_file, "--phrases", out, "-o", model, "--dim", 8,
                 "--epochs", 1, "-q", "--min-count", 2)
    assert result.exit_code == 0, result.output
    assert {"new_york", "san_francisco"} <= set(KeyedVectors.load(model).index_to_key)
    other = tmp_path / "other.txt"
    Phrases([["w1", "w2"]] * 9, min_count=1, threshold=0).save(other)
    result = run(wordvec_main, "train", text_file, "--phrases", other, "-o", model, "--resume",
                 "--epochs", 2, "-q")
    assert result.exit_code == 1 and "other phrases" in result.output


def test_a_threshold_that_keeps_nothing_says_so(text_file, tmp_path):
    result = run(corpora_main, "phrases", text_file, "-o", tmp_path / "p.txt",
                 "--threshold", "1e12")
    assert result.exit_code == 1 and "scores above 1e+12" in result.output
    assert not (tmp_path / "p.txt").exists()


def test_the_same_phrases_as_gensim():
    gensim = pytest.importorskip("gensim")
    from gensim.models.phrases import ENGLISH_CONNECTOR_WORDS as CONNECTORS
    from gensim.models.phrases import Phrases as GensimPhrases
    from gensim.test.utils import datapath

    path = Path(datapath("lee_background.cor"))
    sentences = [gensim.utils.simple_preprocess(line) for line in path.open()]
    for kwargs in [{}, {"connector_words": CONNECTORS}, {"scoring": "npmi", "threshold": 0.3},
                   {"min_count": 2, "threshold": 5}]:
        theirs = GensimPhrases(sentences, **kwargs).freeze()
        ours = Phrases(sentences, **kwargs)
        assert ours.phrasegrams.keys() == theirs.phrasegrams.keys()
        for phrase, score in theirs.phrasegrams.items():
            assert ours.phrasegrams[phrase] == pytest.approx(score, rel=1e-12)
        assert list(ours[sentences]) == [theirs[s] for s in sentences]
