"""KeyedVectors queries against brute-force formulas, with gensim's names and conventions."""
import numpy as np
import pytest

from npnlp.errors import UserError
from wordvec import KeyedVectors


@pytest.fixture(scope="module")
def kv():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(500)]
    return KeyedVectors.from_vectors(words, rng.standard_normal((500, 16)).astype(np.float32))


def cosines(kv, q):
    unit = kv.vectors / np.linalg.norm(kv.vectors, axis=1, keepdims=True)
    return unit @ (q / np.linalg.norm(q))


def unit(kv, w):
    v = kv[w]
    return v / np.linalg.norm(v)


def brute_top(scores, topn, skip=()):
    order = [i for i in np.argsort(-scores, kind="stable") if i not in skip]
    return [f"w{i}" for i in order[:topn]]


def test_lookups(kv):
    assert len(kv) == 500 and "w3" in kv and "x" not in kv and kv.vector_size == 16
    assert kv.key_to_index["w7"] == 7 and kv.index_to_key[7] == "w7"
    np.testing.assert_array_equal(kv[["w1", "w2"]], kv.vectors[[1, 2]])
    assert np.linalg.norm(kv.get_vector("w5", norm=True)) == pytest.approx(1, abs=1e-6)
    with pytest.raises(KeyError, match="word 'nope' not in vocabulary"):
        kv["nope"]
    with pytest.raises(KeyError, match="'nope'"):
        kv.most_similar("nope")


def test_most_similar_is_3cosadd_without_the_query_words(kv):
    q = unit(kv, "w1") + unit(kv, "w2") - unit(kv, "w3")
    expected = brute_top(cosines(kv, q), 10, skip={1, 2, 3})
    result = kv.most_similar(positive=["w1", "w2"], negative=["w3"])
    assert [w for w, _ in result] == expected
    np.testing.assert_allclose([s for _, s in result], cosines(kv, q)[[int(w[1:]) for w in
                                                                       expected]], rtol=1e-5)


def test_most_similar_takes_vectors_weights_and_a_restricted_vocabulary(kv):
    by_vector = kv.most_similar(positive=[kv["w4"]], topn=3)
    assert by_vector[0][0] == "w4"   # a vector query excludes no word
    assert [w for w, _ in kv.most_similar("w4", topn=3)] == [w for w, _ in by_vector[1:3]] + [
        kv.most_similar("w4", topn=3)[2][0]]
    weighted = kv.most_similar(positive=[("w1", 2.0), "w2"], topn=5)
    q = 2 * unit(kv, "w1") + unit(kv, "w2")
    assert [w for w, _ in weighted] == brute_top(cosines(kv, q), 5, skip={1, 2})
    restricted = kv.most_similar("w1", topn=5, restrict_vocab=50)
    assert all(int(w[1:]) < 50 for w, _ in restricted)
    assert kv.most_similar("w1", topn=None).shape == (500,)


def test_many_queries_as_one_product_equal_single_queries(kv):
    queries = kv.vectors[:20] + 0.1
    batched = kv.similar_by_vector(queries, topn=7)
    for many, one in zip(batched, [kv.similar_by_vector(q, topn=7) for q in queries]):
        assert [w for w, _ in many] == [w for w, _ in one]
        np.testing.assert_allclose([s for _, s in many], [s for _, s in one], rtol=1e-6)


def test_most_similar_cosmul_is_gensims_formula(kv):
    shifted = [(1 + cosines(kv, kv[w])) / 2 for w in ("w1", "w2", "w3")]
    scores = shifted[0] * shifted[1] / (shifted[2] + 1e-6)
    result = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in result] == brute_top(scores, 5, skip={1, 2, 3})


def test_pairwise_measures(kv):
    assert kv.similarity("w1", "w2") == pytest.approx(float(unit(kv, "w1") @ unit(kv, "w2")),
                                                      abs=1e-6)
    assert kv.distance("w1", "w2") == pytest.approx(1 - kv.similarity("w1", "w2"))
    m1, m2 = kv[["w1", "w2"]].mean(0), kv[["w3"]].mean(0)
    assert kv.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(
        float(m1 @ m2 / np.linalg.norm(m1) / np.linalg.norm(m2)), abs=1e-6)
    sims = cosines(kv, kv["w1"])
    assert kv.rank("w1", "w9") == 1 + int(np.sum(np.delete(sims, 1) > sims[9]))


def test_doesnt_match_finds_the_odd_one_out():
    words = ["a", "b", "c", "odd"]
    vectors = np.array([[1, 0.1, 0], [1, 0, 0.1], [0.9, 0.1, 0.1], [0, 1, 0]], np.float32)
    kv = KeyedVectors.from_vectors(words, vectors)
    assert kv.doesnt_match(["a", "b", "c", "odd", "unknown"]) == "odd"


def test_duplicates_and_mismatched_shapes_are_refused():
    with pytest.raises(ValueError, match="'a' appears twice"):
        KeyedVectors.from_vectors(["a", "b", "a"], np.zeros((3, 2), np.float32))
    with pytest.raises(ValueError, match="2 words but vectors of shape"):
        KeyedVectors.from_vectors(["a", "b"], np.zeros((3, 2), np.float32))


def test_a_word_in_another_case_and_a_zero_vector_are_named_as_such():
    kv = KeyedVectors.from_vectors(["horse", "cart", "void"], [[1.0, 0.0], [0.5, 0.5], [0.0, 0.0]])
    with pytest.raises(KeyError, match="word 'Horse' not in vocabulary \\(it has 'horse'\\)"):
        kv.most_similar("Horse")
    with pytest.raises(ValueError, match="the vector of 'void' is all zeros"):
        kv.most_similar("void")
    with pytest.raises(ValueError, match="the query words cancel out"):
        kv.most_similar(positive=["horse"], negative=["horse"])


def test_a_bare_combining_mark_and_an_invalid_word_are_shown_readably(tmp_path):
    kv = KeyedVectors.from_vectors(["tea"], [[1.0, 0.0]])
    with pytest.raises(KeyError, match=r"word '\\\\u0301' not in vocabulary"):
        kv.get_index("\u0301")                  # would print fused with the quote
    with pytest.raises(KeyError, match="word 'e\u0301' not in vocabulary"):
        kv.get_index("e\u0301")                 # after a letter it is that letter's accent
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"2 2\ncaf\xe9 1 0\ntea 0 1\n")
    with pytest.raises(UserError, match=r"the word 'caf\\xe9' is not valid UTF-8"):
        KeyedVectors.load_word2vec_format(path)
