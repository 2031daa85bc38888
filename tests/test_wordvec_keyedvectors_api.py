"""The rest of gensim's KeyedVectors API: building and editing, the remaining queries, and the
file arguments, from gensim's documented behaviour (and beside gensim where it is installed)."""
import warnings

import numpy as np
import pytest

from npnlp.errors import Advice, UserError
from wordvec import KeyedVectors

WORDS = ["the", "cat", "dog", "car", "bus", "tree"]


@pytest.fixture
def kv():
    rng = np.random.default_rng(3)
    return KeyedVectors.from_vectors(WORDS, rng.standard_normal((6, 5)).astype(np.float32),
                                     counts=[50, 20, 20, 9, 7, 3])


def cos(a, b):
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


# --- building and editing ---

def test_preallocated_slots_fill_then_the_table_grows():
    kv = KeyedVectors(3, count=2)
    assert len(kv) == 2 and kv.vectors.shape == (2, 3) and kv.vectors.dtype == np.float32
    assert kv.add_vector("a", [1, 0, 0]) == 0 and kv.add_vector("b", [0, 1, 0]) == 1
    assert kv.add_vector("c", [0, 0, 1]) == 2
    assert kv.index_to_key == ["a", "b", "c"] and kv.key_to_index == {"a": 0, "b": 1, "c": 2}
    np.testing.assert_array_equal(kv["c"], [0, 0, 1])
    assert KeyedVectors(4, dtype=np.float64).vectors.dtype == np.float64


def test_add_vectors_appends_new_keys_and_replaces_only_when_asked(kv):
    old = kv["cat"].copy()
    kv.add_vectors(["cat", "owl"], np.ones((2, 5)), extras={"count": [1, 2]})
    np.testing.assert_array_equal(kv["cat"], old)          # present: kept
    np.testing.assert_array_equal(kv["owl"], np.ones(5))
    assert kv.get_vecattr("owl", "count") == 2 and kv.get_vecattr("cat", "count") == 20
    kv.add_vectors(["cat"], np.full((1, 5), 2.0), replace=True)
    np.testing.assert_array_equal(kv["cat"], np.full(5, 2.0))
    with pytest.raises(ValueError, match="shape"):
        kv.add_vectors(["x", "y"], np.ones((2, 4)))


def test_setting_items_adds_or_replaces_and_refreshes_the_norms(kv):
    assert kv.similarity("cat", "dog") != pytest.approx(1)
    kv["cat"] = kv["dog"] * 3                              # norms cached before: recomputed
    assert kv.similarity("cat", "dog") == pytest.approx(1, abs=1e-6)
    kv[["emu", "yak"]] = np.eye(5)[:2]
    assert kv.index_to_key[-2:] == ["emu", "yak"] and kv.most_similar("emu", topn=1)[0][1] < 1
    assert kv.norms[-1] == pytest.approx(1)


def test_a_memory_mapped_table_is_copied_before_it_is_edited(kv, tmp_path):
    kv.save(tmp_path / "v")
    loaded = KeyedVectors.load(tmp_path / "v")
    loaded["cat"] = np.zeros(5)
    assert not loaded["cat"].any() and KeyedVectors.load(tmp_path / "v")["cat"].any()


def test_integer_keys_are_rows_and_get_index_takes_a_default(kv):
    np.testing.assert_array_equal(kv[0], kv["the"])
    np.testing.assert_array_equal(kv.get_vector(np.int64(2)), kv["dog"])
    assert 5 in kv and 6 not in kv and kv.has_index_for("car") and not kv.has_index_for("x")
    assert kv.get_index("x", default=-1) == -1 and kv.get_index("bus") == 4
    with pytest.raises(KeyError, match="key 9 not present"):
        kv[9]


def test_vector_attributes_and_sorting_by_count(kv):
    kv.set_vecattr("tree", "count", 40)
    kv.set_vecattr("car", "weight", 0.5)
    assert kv.get_vecattr("tree", "count") == 40 and kv.get_vecattr("bus", "weight") == 0
    with pytest.raises(KeyError, match="no vector attribute 'colour'"):
        kv.get_vecattr("bus", "colour")
    vectors = {w: kv[w].copy() for w in WORDS}
    kv.sort_by_descending_frequency()
    assert kv.index_to_key == ["the", "tree", "cat", "dog", "car", "bus"]   # ties in order
    assert kv.get_vecattr("car", "weight") == 0.5
    for w in WORDS:
        np.testing.assert_array_equal(kv[w], vectors[w])
    with pytest.raises(ValueError, match="no counts"):
        KeyedVectors.from_vectors(["a"], [[1.0]]).sort_by_descending_frequency()


def test_normed_vectors(kv):
    normed = kv.get_normed_vectors()
    np.testing.assert_allclose(np.linalg.norm(normed, axis=1), 1, rtol=1e-6)
    kv.vectors[0] *= 2
    assert kv.fill_norms()[0] != pytest.approx(np.linalg.norm(kv.vectors[0]))
    assert kv.fill_norms(force=True)[0] == pytest.approx(np.linalg.norm(kv.vectors[0]))


# --- queries ---

def test_mean_vector_weights_and_normalisation(kv):
    u = kv.get_normed_vectors()
    np.testing.assert_allclose(kv.get_mean_vector(["cat", "dog"]), (u[1] + u[2]) / 2, rtol=1e-6)
    mean = kv.get_mean_vector(["cat", "dog", "zzz"], weights=[2, -1, 5], pre_normalize=False)
    np.testing.assert_allclose(mean, (2 * kv["cat"] - kv["dog"]) / 3, rtol=1e-6)
    unit = kv.get_mean_vector([kv["bus"], "car"], post_normalize=True)
    assert np.linalg.norm(unit) == pytest.approx(1, abs=1e-6)
    with pytest.raises(KeyError, match="'zzz'"):
        kv.get_mean_vector(["cat", "zzz"], ignore_missing=False)
    with pytest.raises(ValueError, match="no vectors"):
        kv.get_mean_vector([])


def test_distances_and_what_is_closer(kv):
    d = kv.distances("cat")
    assert d[1] == 0 and kv.distance("cat", "cat") == 0 and kv.similarity("dog", "dog") == 1
    np.testing.assert_allclose(d, [1 - cos(kv["cat"], v) for v in kv.vectors], atol=1e-6)
    np.testing.assert_allclose(kv.distances(kv["cat"], ["dog", "bus"]), d[[2, 4]], atol=1e-6)
    closer = kv.closer_than("cat", "tree")
    assert closer == [w for w in WORDS if w != "cat" and d[kv.get_index(w)] < d[5]]
    assert kv.words_closer_than("cat", "tree") == closer
    assert kv.rank("cat", "tree") == len(closer) + 1


def test_most_similar_to_given_and_relative_cosine(kv):
    candidates = ["dog", "car", "tree"]
    best = max(candidates, key=lambda w: kv.similarity("cat", w))
    assert kv.most_similar_to_given("cat", candidates) == best
    top = kv.similar_by_key("cat", topn=3)
    assert kv.relative_cosine_similarity("cat", "dog", topn=3) == pytest.approx(
        kv.similarity("cat", "dog") / sum(s for _, s in top))


def test_gensims_static_cosine_similarities():
    sims = KeyedVectors.cosine_similarities(np.array([1.0, 0]), np.array([[2.0, 0], [1, 1]]))
    np.testing.assert_allclose(sims, [1, 2 ** -0.5])


def test_most_similar_searches_only_the_clipped_rows(kv):
    everything = dict(kv.most_similar("cat", topn=10))
    clipped = kv.most_similar("cat", topn=10, clip_start=2, clip_end=5)
    assert [w for w, _ in clipped] == sorted(["dog", "car", "bus"], key=lambda w: -everything[w])
    assert len(kv.most_similar("cat", topn=None, clip_start=2, clip_end=5)) == 3
    assert [w for w, _ in kv.most_similar("cat", clip_start=4, restrict_vocab=2)] == ["the"]


@pytest.mark.parametrize("topn", [np.uint8(3), np.uint16(3), np.int64(3), 3])
def test_topn_of_any_integer_type(kv, topn):
    assert len(kv.most_similar("cat", topn=topn)) == 3
    assert len(kv.most_similar_cosmul("cat", topn=topn)) == 3
    assert len(kv.similar_by_vector(kv["cat"], topn=topn)) == 3


def test_topn_zero_or_negative_is_empty(kv):
    assert kv.most_similar("cat", topn=0) == [] and kv.most_similar("cat", topn=-1) == []


def test_vectors_for_all_keeps_present_keys_once_in_order(kv):
    sub = kv.vectors_for_all(["dog", "zzz", "the", "dog"], copy_vecattrs=True)
    assert sub.index_to_key == ["dog", "the"] and sub.counts.tolist() == [20, 50]
    np.testing.assert_array_equal(sub["the"], kv["the"])
    assert kv.vectors_for_all(["dog"]).counts is None


def test_approximate_indexers_are_refused(kv):
    with pytest.raises(ValueError, match="indexers"):
        kv.most_similar("cat", indexer=object())


# --- files ---

def test_vocabulary_counts_travel_with_fvocab(kv, tmp_path):
    kv.save_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert (tmp_path / "vocab.txt").read_text().splitlines()[:2] == ["the 50", "cat 20"]
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "vocab.txt")
    assert back.counts.tolist() == [50, 20, 20, 9, 7, 3]
    assert KeyedVectors.load_word2vec_format(tmp_path / "v.txt").counts is None


def test_files_are_written_most_frequent_first(kv, tmp_path):
    kv.set_vecattr("tree", "count", 100)
    kv.save_word2vec_format(tmp_path / "v.txt")
    back = KeyedVectors.load_word2vec_format(tmp_path / "v.txt")
    assert back.index_to_key == ["tree", "the", "cat", "dog", "car", "bus"]
    np.testing.assert_array_equal(back["tree"], kv["tree"])


def test_headers_prefixes_and_datatypes(kv, tmp_path):
    path = tmp_path / "v.txt"
    kv.save_word2vec_format(path, write_header=False, prefix="w_")
    assert path.read_text().split(" ", 1)[0] == "w_the"
    back = KeyedVectors.load_word2vec_format(path, no_header=True, datatype=np.float64)
    assert back.index_to_key[0] == "w_the" and back.vectors.dtype == np.float64
    kv.save_word2vec_format(path, total_vec=10, binary=True)
    assert path.read_bytes().startswith(b"10 5\n")
    with pytest.raises(ValueError, match="fewer"):
        kv.save_word2vec_format(path, total_vec=2)
    with pytest.raises(ValueError, match="append"):
        kv.save_word2vec_format(path, append=True)


def test_a_first_line_that_looks_like_a_header_is_a_row_with_no_header(tmp_path):
    path = tmp_path / "one.txt"
    path.write_text("7 5\n8 6\n")
    assert KeyedVectors.load_word2vec_format(path, no_header=True).index_to_key == ["7", "8"]


def test_words_in_other_encodings_and_strict_errors(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("2 2\ncafé 1 0\ntea 0 1\n".encode("latin-1"))
    assert KeyedVectors.load_word2vec_format(path, encoding="latin-1").index_to_key[0] == "café"
    with pytest.raises(UnicodeDecodeError) as error:
        KeyedVectors.load_word2vec_format(path)
    assert isinstance(error.value, UserError) and "row 1" in str(error.value)


def test_a_repeated_word_keeps_its_first_vector_with_a_warning(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("3 2\nthe 1 2\nof 0 1\nthe 3 4\n")
    with pytest.warns(Advice, match="1 words appear more than once.*'the', line 2 and line 4"):
        kv = KeyedVectors.load_word2vec_format(path)
    assert kv.index_to_key == ["the", "of"] and kv["the"].tolist() == [1, 2]


def test_word_pairs_with_another_delimiter_and_encoding(kv, tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_bytes("cat;dog;9\ncat;tree;1\ncar;bus;8\nthe;café;3\n".encode("latin-1"))
    (_, _), (rho, _), oov = kv.evaluate_word_pairs(path, delimiter=";", encoding="latin-1")
    expected = np.argsort(np.argsort([kv.similarity(*p) for p in
                                      [("cat", "dog"), ("cat", "tree"), ("car", "bus")]]))
    assert oov == 25 and rho == pytest.approx(np.corrcoef(expected, [2, 0, 1])[0, 1])


# --- beside gensim ---

def test_the_same_answers_as_gensim(kv, tmp_path):
    gensim = pytest.importorskip("gensim")
    theirs = gensim.models.KeyedVectors(5)
    theirs.add_vectors(WORDS, kv.vectors)
    for w, c in zip(WORDS, kv.counts):
        theirs.set_vecattr(w, "count", int(c))
    close = dict(rtol=1e-5, atol=1e-6)
    for keys, kwargs in [(["cat", "dog"], {}), (["cat", "bus"], {"weights": [1, -2]}),
                         (["cat", kv["car"]], {"pre_normalize": False, "post_normalize": True})]:
        np.testing.assert_allclose(kv.get_mean_vector(keys, **kwargs),
                                   theirs.get_mean_vector(keys, **kwargs), **close)
    np.testing.assert_allclose(kv.distances("cat", ["dog", "bus"]),
                               theirs.distances("cat", ["dog", "bus"]), **close)
    assert kv.closer_than("cat", "tree") == theirs.closer_than("cat", "tree")
    assert kv.rank("cat", "tree") == theirs.rank("cat", "tree")
    assert kv.most_similar_to_given("cat", WORDS[2:]) == theirs.most_similar_to_given(
        "cat", WORDS[2:])
    assert kv.relative_cosine_similarity("cat", "dog", 3) == pytest.approx(
        theirs.relative_cosine_similarity("cat", "dog", 3), rel=1e-5)
    for kwargs in [{"clip_start": 2, "clip_end": 5}, {"restrict_vocab": 4}, {"topn": 2}]:
        ours, gensims = kv.most_similar("cat", **kwargs), theirs.most_similar("cat", **kwargs)
        assert [w for w, _ in ours] == [w for w, _ in gensims]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in gensims], **close)
    kv.save_word2vec_format(tmp_path / "ours.txt", fvocab=tmp_path / "ours.vocab",
                            write_header=False)
    read = gensim.models.KeyedVectors.load_word2vec_format(
        tmp_path / "ours.txt", fvocab=tmp_path / "ours.vocab", no_header=True)
    assert read.index_to_key == WORDS
    assert [read.get_vecattr(w, "count") for w in WORDS] == kv.counts.tolist()
    theirs.save_word2vec_format(tmp_path / "theirs.bin", fvocab=tmp_path / "theirs.vocab",
                                binary=True)
    back = KeyedVectors.load_word2vec_format(tmp_path / "theirs.bin",
                                             fvocab=tmp_path / "theirs.vocab")
    assert back.index_to_key == theirs.index_to_key and back.counts.tolist() == [
        theirs.get_vecattr(w, "count") for w in back.index_to_key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.save(str(tmp_path / "kv.pickle"))
    with pytest.raises(UserError, match="Python pickle"):
        KeyedVectors.load(tmp_path / "kv.pickle")
