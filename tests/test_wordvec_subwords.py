"""Subword (fastText) vectors: fastText's n-grams and hashes, the input layer's gradient,
vectors for unseen words, files and the commands."""
import struct

import numpy as np
import pytest
from click.testing import CliRunner

from corpora import synth
from npnlp.errors import UserError
from wordvec import KeyedVectors
from wordvec.cli import main
from wordvec.config import TrainConfig
from wordvec.model import Word2VecNet
from wordvec.subwords import Subwords, _hashes, bucket_ids, fasttext_hash, ngrams
from wordvec.vectors import FastTextKeyedVectors

# fastText's hashes (Dictionary::hash), as gensim's ft_hash_bytes gives them
HASHES = {"test": 2949673445, "команда": 1725507386, "東京": 1997330287, "naïve": 3440832043}
# the first n-gram buckets of each word with minn 3, maxn 6, 2,000,000 buckets (gensim's
# ft_ngram_hashes), and how many n-grams it has
BUCKETS = {"test": ([1484008, 627201, 1078831, 854851, 26195, 1673445], 10),
           "команда": ([469847, 860603, 62163, 1418956, 622853, 1484909], 22),
           "東京": ([473661, 106169, 163715], 3), "a": ([1087600], 1)}


def test_fasttexts_hashes_and_ngram_buckets():
    for word, h in HASHES.items():
        assert fasttext_hash(word.encode()) == h
    grams = [g for w in ["test", "команда", "naïve", "ÿ𝄞"] for g in ngrams(w, 1, 6)]
    np.testing.assert_array_equal(_hashes(grams), [fasttext_hash(g) for g in grams])
    indptr, ids = bucket_ids(list(BUCKETS), 3, 6, 2_000_000)
    for n, (first, count) in enumerate(BUCKETS.values()):
        assert ids[indptr[n]:indptr[n + 1]][:6].tolist() == first
        assert indptr[n + 1] - indptr[n] == count
    assert ngrams("naïve", 3, 4)[:3] == [b"<na", "<naï".encode(), "naï".encode()]
    assert ngrams("ab", 1, 2) == [b"<a", b"a", b"ab", b"b", b"b>"]   # no lone < or >


def subword_net(sg=True, dtype=np.float64):
    config = TrainConfig(sg=sg, subwords=True, dim=4, buckets=40, minn=2, maxn=3, seed=3)
    words = ["cat", "cats", "dog", "a"]
    return Word2VecNet(config, words, [9, 5, 4, 2], dtype=dtype)


def test_a_word_is_the_mean_of_its_rows():
    net = subword_net()
    W, sub = net.input.W.data, Subwords.of(net.words, 2, 3, 40)
    rows = [1] + [4 + b for b in bucket_ids(["cats"], 2, 3, 40)[1]]
    np.testing.assert_allclose(net.wv["cats"], W[rows].mean(axis=0))
    np.testing.assert_allclose(sub.word_vectors(W), net.wv.vectors)


def test_the_end_of_line_word_is_its_own_row_alone():
    """fastText's dictionary gives </s> no n-grams, so its vector is its row (gensim's reader
    averages its n-grams in and differs from fastText there)."""
    sub = Subwords.of(["</s>", "king"], 3, 6, 1000)
    rows, offsets, weights = sub.bags([0, 1])
    assert rows[:offsets[1]].tolist() == [0] and weights[0] == 1
    assert len(rows) - offsets[1] == 1 + len(ngrams("king", 3, 6))


def test_each_row_of_a_word_takes_the_words_gradient_whole():
    """fastText's update (and gensim's): not the mean's gradient (the weighted layer's,
    checked numerically in test_nn_layers) but the word vector's, added to each of its rows;
    a row shared by words takes the sum."""
    net = subword_net()
    rng = np.random.default_rng(0)
    ids = np.array([[0, 1, 3], [2, 2, 0]])
    mask = np.array([[True, True, False], [True, True, True]])
    R = rng.standard_normal((2, 3, 4))
    x, cache = net._lookup(ids, mask)
    assert not x[0, 2].any()                                   # masked: zero
    np.testing.assert_allclose(x[1, 0], net.wv["dog"])
    net.input.W.zero_grad()
    net._lookup_backward(R, cache)
    expected = np.zeros_like(net.input.W.data)
    for (n, m), word in np.ndenumerate(ids):
        if mask[n, m]:
            rows = [word] + [4 + b for b in bucket_ids([net.words[word]], 2, 3, 40)[1]]
            np.add.at(expected, rows, R[n, m])
    np.testing.assert_allclose(net.input.W.grad.to_dense(), expected, rtol=1e-6)  # float32 1/n


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("sub") / "synth.txt"
    synth.write(path, 6_000, seed=1)
    return path


@pytest.fixture(scope="module")
def model(corpus):
    folder = corpus.parent / "model"
    result = CliRunner().invoke(main, ["train", str(corpus), "-o", str(folder), "--subwords",
                                       "--buckets", "20000", "--dim", "30", "--epochs", "3",
                                       "-q"])
    assert result.exit_code == 0, result.output
    return folder


def test_an_unseen_misspelling_lands_near_its_word(model):
    kv = KeyedVectors.load(model)
    assert isinstance(kv, FastTextKeyedVectors) and kv.is_oov("grandmotherr")
    assert "grandmotherr" in kv and "grandmotherr" not in kv.key_to_index
    assert "grandmother" in [w for w, _ in kv.most_similar("grandmotherr", topn=3)]
    assert kv.similarity("grandmotherr", "grandmotherr") == 1.0
    with pytest.raises(KeyError, match="no character n-grams"):
        kv.get_vector("")


def test_the_folder_keeps_the_ngrams_and_trains_further(model, corpus, tmp_path):
    kv = KeyedVectors.load(model)
    assert kv.vectors_ngrams.shape == (20_000, 30) and isinstance(kv.vectors_ngrams, np.memmap)
    kv.save(tmp_path / "copy")
    again = KeyedVectors.load(tmp_path / "copy")
    np.testing.assert_array_equal(again["grandmotherr"], kv["grandmotherr"])
    result = CliRunner().invoke(main, ["train", str(corpus), "-o", str(model), "--resume",
                                       "--epochs", "4", "-q"])
    assert result.exit_code == 0, result.output
    assert not np.array_equal(KeyedVectors.load(model)["grandmotherr"], kv["grandmotherr"])


def test_queries_say_which_words_are_built_from_ngrams(model):
    result = CliRunner().invoke(main, ["similar", str(model), "kingg", "--topn", "2"])
    assert result.exit_code == 0
    assert "Not in the vocabulary, built from n-grams: kingg" in result.stderr


@pytest.mark.parametrize("sg", [True, False])
def test_cbow_and_skipgram_train_with_hierarchical_softmax_too(corpus, tmp_path, sg):
    out = tmp_path / "v.bin"
    result = CliRunner().invoke(main, ["train", str(corpus), "-o", str(out), "--subwords",
                                       "--buckets", "5000", "--dim", "20", "--epochs", "2", "-q",
                                       "--loss", "hierarchical", "--sg" if sg else "--cbow"])
    assert result.exit_code == 0, result.output
    kv = KeyedVectors.load_word2vec_format(out)           # the words' vectors, as .vec
    assert kv.most_similar(positive=["woman", "king"], negative=["man"], topn=3)


def fasttext_bin(path, words, matrix, minn=3, maxn=3, nlabels=0, cut=0):
    """A fastText .bin as FastText::saveModel writes it (the settings, the dictionary, the
    input matrix, an output matrix)."""
    bucket = len(matrix) - len(words)
    data = struct.pack("=2i", 793712314, 12)
    data += struct.pack("=12id", matrix.shape[1], 5, 1, 1, 5, 1, 1, 2, bucket, minn, maxn, 100,
                        1e-4)
    data += struct.pack("=3iqq", len(words), len(words) - nlabels, nlabels, 100, -1)
    for n, word in enumerate(words):
        data += word.encode() + b"\0" + struct.pack("=qb", 10 - n, 0)
    data += struct.pack("=?2q", False, *matrix.shape) + matrix.astype("=f4").tobytes()
    data += struct.pack("=?2q", False, 1, matrix.shape[1]) + b"\0" * 4 * matrix.shape[1]
    path.write_bytes(data[:len(data) - cut])
    return path


def test_a_fasttext_bin_gives_fasttexts_word_and_unseen_vectors(tmp_path):
    matrix = np.arange(12, dtype=np.float32).reshape(6, 2)    # 2 words, 4 buckets
    path = fasttext_bin(tmp_path / "m.bin", ["ab", "</s>"], matrix)
    kv = KeyedVectors.load(path)
    assert kv.index_to_key == ["ab", "</s>"] and kv.counts.tolist() == [10, 9]
    rows = [0] + [2 + b for b in bucket_ids(["ab"], 3, 3, 4)[1]]         # <ab, ab>
    np.testing.assert_allclose(kv["ab"], matrix[rows].mean(axis=0))
    unseen = [2 + b for b in bucket_ids(["abc"], 3, 3, 4)[1]]
    np.testing.assert_allclose(kv["abc"], matrix[unseen].mean(axis=0))
    with pytest.raises(UserError, match="supervised"):
        KeyedVectors.load(fasttext_bin(tmp_path / "s.bin", ["ab", "__label__x"], matrix,
                                       nlabels=1))
    with pytest.raises(UserError, match="ends early|announced"):
        KeyedVectors.load(fasttext_bin(tmp_path / "t.bin", ["ab", "</s>"], matrix, cut=60))


def test_a_bin_gensim_wrote_reads_as_gensim_reads_it(corpus, tmp_path):
    pytest.importorskip("gensim")
    from gensim.models import FastText
    from gensim.models.fasttext import load_facebook_vectors, save_facebook_model

    sentences = [line.split() for line in corpus.read_text().splitlines()[:2000]]
    save_facebook_model(FastText(sentences, vector_size=12, bucket=3000, min_count=2,
                                 epochs=1, workers=1), str(tmp_path / "g.bin"))
    theirs, ours = load_facebook_vectors(str(tmp_path / "g.bin")), KeyedVectors.load(
        tmp_path / "g.bin")
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_allclose(ours.vectors, theirs.vectors, atol=1e-6)
    for word in ("kingz", "grandmotherr", "zzq"):
        np.testing.assert_allclose(ours[word], theirs[word], atol=1e-6)
