"""Analogy and word-pair evaluation: planted answers, gensim's conventions, gensim's figures."""
import itertools

import numpy as np
import pytest
from scipy import stats

from corpora import synth
from npnlp.errors import UserError
from wordvec import KeyedVectors, evaluate_word_analogies, evaluate_word_pairs


def planted(rng, dim=40):
    """Vectors where every synth pair (x, y) differs by its section's offset alone."""
    words, vectors = [], []
    for pairs in synth.PAIRS.values():
        offset = rng.standard_normal(dim)
        for x, y in pairs:
            base = rng.standard_normal(dim)
            words += [x, y]
            vectors += [base, base + offset]
    words.append("distractor")
    vectors.append(rng.standard_normal(dim))
    return KeyedVectors.from_vectors(words, np.array(vectors, np.float32))


@pytest.fixture
def questions(tmp_path):
    path = tmp_path / "questions.txt"
    synth.write_analogies(path)
    return path


@pytest.mark.parametrize("cosmul", [False, True])
def test_planted_analogies_are_all_answered(questions, cosmul):
    kv = planted(np.random.default_rng(0))
    result = evaluate_word_analogies(kv, questions, cosmul=cosmul)
    assert [s.name for s in result.sections] == list(synth.ANALOGIES)
    assert result.total.accuracy == 1.0 and result.oov == 0
    assert result.questions == len(result.total.correct) == sum(map(len, synth.ANALOGIES.values()))
    accuracy, sections = kv.evaluate_word_analogies(   # gensim's method
        questions, similarity_function="most_similar_cosmul" if cosmul else "most_similar")
    assert accuracy == 1.0 and [s["section"] for s in sections][-1] == "Total accuracy"
    assert [len(s["correct"]) for s in sections[:-1]] == [len(s.correct) for s in result.sections]


def test_case_folding_out_of_vocabulary_and_restricted_vocabulary(questions, tmp_path):
    kv = planted(np.random.default_rng(0))
    lines = questions.read_text().splitlines()
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join([lines[0], lines[1].upper(), "king queen man zebra", *lines[2:5],
                               "not four words"]) + "\n")
    result = evaluate_word_analogies(kv, path)
    assert result.oov == 1 and result.questions == 5
    assert len(result.total.correct) == 4
    assert evaluate_word_analogies(kv, path, case_insensitive=False).oov == 2
    assert evaluate_word_analogies(kv, path, restrict_vocab=2).oov == 5


def test_a_spelling_variant_of_a_question_word_is_not_an_answer(tmp_path):
    """With case folding, 'Berlin' beside 'berlin' is a question word, as gensim has it: the
    answer is the next best word."""
    e = np.eye(4, dtype=np.float32)
    kv = KeyedVectors.from_vectors(["paris", "france", "berlin", "germany", "Berlin"],
                      [e[0], e[0] + e[1], e[2], e[2] + e[1] + 0.3 * e[3], e[2] + e[1]])
    path = tmp_path / "q.txt"
    path.write_text(": capitals\nparis france berlin germany\n")
    assert len(evaluate_word_analogies(kv, path).total.correct) == 1


def test_agrees_with_gensim_question_by_question(tmp_path, data_dir):
    gensim = pytest.importorskip("gensim")
    questions = data_dir / "questions-words.txt"
    if not questions.is_file():
        questions = tmp_path / "q.txt"
        synth.write_analogies(questions)
    words = sorted({w for line in questions.read_text().splitlines() if not line.startswith(":")
                    for w in line.split()})
    words += [w.lower() for w in words if w.lower() not in words][:300]
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((len(words), 10)).astype(np.float32)
    kv = KeyedVectors.from_vectors(words, vectors)
    theirs = gensim.models.KeyedVectors(10)
    theirs.add_vectors(words, vectors)
    # all question words kept, or half of them left out (skipped or counted wrong)
    for restrict_vocab, dummy4unknown in itertools.product((len(words) - 50, len(words) // 2),
                                                            (False, True)):
        mine = kv.evaluate_word_analogies(questions, restrict_vocab, dummy4unknown=dummy4unknown)
        gensims = theirs.evaluate_word_analogies(questions, restrict_vocab,
                                                 dummy4unknown=dummy4unknown)
        assert mine == gensims


def test_word_pairs_agree_with_gensim(pairs_kv, tmp_path):
    gensim = pytest.importorskip("gensim")
    theirs = gensim.models.KeyedVectors(8)
    theirs.add_vectors(pairs_kv.index_to_key, pairs_kv.vectors)
    path = tmp_path / "ws.tsv"
    path.write_text("tiger\tcat\t7.35\ncat\tdog\t6\ncar\ttrain\t6.3\nlove\tcat\t2.1\n"
                    "tiger\tzebra\t7\n")
    for dummy4unknown in (False, True):
        mine = pairs_kv.evaluate_word_pairs(path, dummy4unknown=dummy4unknown)
        gensims = theirs.evaluate_word_pairs(path, dummy4unknown=dummy4unknown)
        assert mine[2] == pytest.approx(gensims[2])
        assert np.allclose(mine[:2], gensims[:2], rtol=1e-5)


def test_the_gensim_methods_take_gensims_vocabulary_limit(tmp_path):
    """300,000 words, where `wordvec evaluate` and the functions keep word2vec.c's 30,000."""
    words = [f"w{i}" for i in range(30_010)]
    vectors = np.random.default_rng(0).standard_normal((len(words), 4)).astype(np.float32)
    kv = KeyedVectors.from_vectors(words, vectors)
    path = tmp_path / "q.txt"
    path.write_text(": late\nw30001 w30002 w30003 w30004\n")
    assert evaluate_word_analogies(kv, path).oov == 1
    accuracy, sections = kv.evaluate_word_analogies(path)
    assert len(sections[-1]["correct"]) + len(sections[-1]["incorrect"]) == 1
    accuracy, sections = kv.evaluate_word_analogies(path, restrict_vocab=30_000,
                                                    dummy4unknown=True)
    assert sections[-1]["incorrect"] == [("W30001", "W30002", "W30003", "W30004")]


@pytest.fixture
def pairs_kv():
    rng = np.random.default_rng(0)
    words = ["tiger", "cat", "dog", "car", "train", "love"]
    return KeyedVectors.from_vectors(words, rng.standard_normal((6, 8)).astype(np.float32))


def test_word_pairs_correlations_equal_scipy(pairs_kv, tmp_path):
    path = tmp_path / "ws.tsv"
    path.write_text("# a comment\nTiger\tcat\t7.35\ncat\tdog\t6\ncar\ttrain\t6.3\n"
                    "love\tcat\t2.1\ntiger\tzebra\t7\n")
    result = evaluate_word_pairs(pairs_kv, path)
    gold = [7.35, 6, 6.3, 2.1]
    model = [pairs_kv.similarity(a, b) for a, b in
             [("tiger", "cat"), ("cat", "dog"), ("car", "train"), ("love", "cat")]]
    assert result.pairs == 4 and result.oov == 1 and result.oov_ratio == 0.2
    assert result.spearman == pytest.approx(stats.spearmanr(gold, model)[0])
    assert result.pearson == pytest.approx(stats.pearsonr(gold, model)[0], abs=1e-6)
    pearson, spearman, oov_percent = pairs_kv.evaluate_word_pairs(path)   # gensim's method
    assert spearman == pytest.approx(stats.spearmanr(gold, model), abs=1e-6) and oov_percent == 20
    assert pearson[1] == pytest.approx(stats.pearsonr(gold, model)[1], abs=1e-6)   # p-value


def test_simlex_file_with_a_header(pairs_kv, tmp_path):
    path = tmp_path / "simlex.txt"
    path.write_text("word1\tword2\tPOS\tSimLex999\tconc(w1)\n"
                    "tiger\tcat\tN\t7.35\t4.1\ncat\tdog\tN\t6.0\t4.2\ncar\ttrain\tN\t6.3\t4.8\n")
    assert evaluate_word_pairs(pairs_kv, path).pairs == 3


def test_broken_evaluation_files(pairs_kv, tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("tiger\tcat\tseven\n")
    with pytest.raises(UserError, match="no score column"):
        evaluate_word_pairs(pairs_kv, path)
    path.write_text("tiger\tcat\t7\ncat dog 6\n")
    with pytest.raises(UserError, match="line 2: expected 'word1<TAB>word2<TAB>score'"):
        evaluate_word_pairs(pairs_kv, path)
    path.write_text("king queen man woman\n")
    with pytest.raises(UserError, match="line 1: a question before any ': section' line"):
        evaluate_word_analogies(pairs_kv, path)
