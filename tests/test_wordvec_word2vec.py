"""`wordvec.Word2Vec`, gensim's one-import class: the same training as `fit` from sentences in
memory or a LineSentence file, gensim's calling patterns, callbacks, saving and continuing."""
import numpy as np
import pytest

from corpora import Tokenizer, synth
from npnlp.errors import UserError
from wordvec import KeyedVectors, Word2Vec
from wordvec.config import TrainConfig
from wordvec.run import fit

SETTINGS = dict(vector_size=20, min_count=2, epochs=2, workers=1, seed=4)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("w2v") / "corpus.txt"
    synth.write(path, 3_000, seed=2)
    return path


@pytest.fixture(scope="module")
def sentences(corpus):
    return [line.split() for line in corpus.read_text().splitlines()]


def test_sentences_and_a_corpus_file_train_what_fit_trains(corpus, sentences):
    config = TrainConfig(sg=False, dim=20, min_count=2, epochs=2, seed=4, alpha=0.025,
                         min_alpha=0.0001)
    reference, _ = fit(corpus, config, Tokenizer(whitespace=True), cache=False)
    for model in (Word2Vec(sentences, **SETTINGS), Word2Vec(corpus_file=str(corpus),
                                                            **SETTINGS)):
        assert model.wv.index_to_key == reference.words
        np.testing.assert_array_equal(model.wv.vectors, reference.input.W.data)
        np.testing.assert_array_equal(model.syn1neg, reference.output.W.data)


def test_gensims_three_step_pattern_and_a_generator_give_the_same_model(sentences):
    once = Word2Vec(sentences, **SETTINGS)
    model = Word2Vec(**SETTINGS)
    model.build_vocab(iter(sentences))                       # read once: a generator serves
    assert model.corpus_count == len(sentences)
    assert model.corpus_total_words == sum(map(len, sentences))
    model.train(sentences, total_examples=model.corpus_count, epochs=model.epochs)
    np.testing.assert_array_equal(model.wv.vectors, once.wv.vectors)


def test_the_vectors_answer_the_corpus_analogies(sentences):
    model = Word2Vec(sentences, vector_size=30, sg=1, hs=1, negative=0, min_count=2, epochs=5,
                     workers=2)
    assert model.hs == 1 and model.negative == 0 and model.syn1.shape == (len(model.wv) - 1, 30)
    top = model.wv.most_similar(positive=["woman", "king"], negative=["man"], topn=3)
    assert "queen" in [w for w, _ in top]


def test_callbacks_see_each_epoch_and_the_loss_grows(sentences):
    events = []

    class Recorder:
        def on_train_begin(self, model):
            events.append("begin")

        def on_epoch_begin(self, model):
            events.append("epoch")

        def on_epoch_end(self, model):
            events.append(model.get_latest_training_loss())

        def on_train_end(self, model):
            events.append("end")

    Word2Vec(sentences, callbacks=[Recorder()], **SETTINGS)
    assert events[0] == "begin" and events[1::2][:2] == ["epoch", "epoch"] and events[-1] == "end"
    losses = events[2:-1:2]
    assert len(losses) == 2 and 0 < losses[0] < losses[1]


def test_save_load_and_train_further_on_new_sentences(sentences, tmp_path):
    model = Word2Vec(sentences, **SETTINGS)
    model.save(tmp_path / "model")
    loaded = Word2Vec.load(tmp_path / "model")
    assert (loaded.vector_size, loaded.sg, loaded.epochs, loaded.alpha) == (20, 0, 2, 0.025)
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    np.testing.assert_array_equal(KeyedVectors.load(tmp_path / "model").vectors,
                                  model.wv.vectors)
    before = loaded.wv.vectors.copy()
    loaded.train([s + ["neverseen"] for s in sentences[:500]], epochs=1)
    assert loaded.epochs == 1 and "neverseen" not in loaded.wv
    assert not np.array_equal(before, loaded.wv.vectors)


def test_hs_with_negative_trains_both_tables_and_saves_and_resumes_them(sentences, tmp_path):
    """gensim's and word2vec.c's hs=1 with negative > 0: syn1 and syn1neg trained at once."""
    model = Word2Vec(sentences, hs=1, negative=5, **SETTINGS)
    assert (model.hs, model.negative) == (1, 5)
    V = len(model.wv)
    assert model.syn1.shape == (V - 1, 20) and model.syn1neg.shape == (V, 20)
    assert np.abs(model.syn1).max() > 0 and np.abs(model.syn1neg).max() > 0
    model.save(tmp_path / "model")
    loaded = Word2Vec.load(tmp_path / "model")
    np.testing.assert_array_equal(loaded.syn1, model.syn1)
    np.testing.assert_array_equal(loaded.syn1neg, model.syn1neg)
    loaded.train(sentences, epochs=1)
    assert not np.array_equal(loaded.syn1, model.syn1)
    assert not np.array_equal(loaded.syn1neg, model.syn1neg)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"hs": 0, "negative": 0}, ValueError, "nothing to train"),
    ({"trim_rule": len}, TypeError, "trim_rule= is not supported: give min_count"),
    ({"sentences": ["a sentence as a string"]}, TypeError, "must be a list of words"),
    ({"sentences": [["a"]], "corpus_file": "x"}, TypeError, "not both"),
    ({"sentences": [[1, 2]]}, TypeError, "a token must be a str"),
])
def test_bad_arguments_say_what_to_do(kwargs, error, message):
    with pytest.raises(error, match=message):
        Word2Vec(**kwargs)


def test_training_before_a_vocabulary_and_loading_a_pickle_are_refused(tmp_path):
    with pytest.raises(RuntimeError, match="build_vocab"):
        Word2Vec().train([["a", "b"]], total_examples=1, epochs=1)
    (tmp_path / "gensim.model").write_bytes(b"\x80\x04\x95 pickled")
    with pytest.raises(UserError, match="Python pickle"):
        Word2Vec.load(tmp_path / "gensim.model")


def test_pretrained_vectors_locked_by_intersect_stay_as_loaded(sentences, tmp_path):
    model = Word2Vec(sentences, **SETTINGS)
    rng = np.random.default_rng(0)
    pretrained = KeyedVectors.from_vectors(["king", "queen", "notinvocab"],
                                           rng.standard_normal((3, 20)).astype(np.float32))
    pretrained.save_word2vec_format(tmp_path / "pre.txt")
    assert model.wv.intersect_word2vec_format(tmp_path / "pre.txt", lockf=0.0) == 2
    assert "notinvocab" not in model.wv
    np.testing.assert_array_equal(model.wv["king"], pretrained["king"])
    others = model.wv["man"].copy()
    model.train(sentences, total_examples=model.corpus_count, epochs=1)
    np.testing.assert_array_equal(model.wv["king"], pretrained["king"])     # locked
    assert not np.array_equal(model.wv["man"], others)
    model.save(tmp_path / "model")                                           # lock kept
    loaded = Word2Vec.load(tmp_path / "model")
    loaded.wv.vectors_lockf[loaded.wv.get_index("queen")] = 1.0              # unlocked
    loaded.train(sentences, epochs=1)
    np.testing.assert_array_equal(loaded.wv["king"], pretrained["king"])
    assert not np.array_equal(loaded.wv["queen"], pretrained["queen"])
    with pytest.raises(UserError, match="5 dimensions, these 20"):
        KeyedVectors.from_vectors(["a"], np.ones((1, 5))).save_word2vec_format(tmp_path / "5")
        model.wv.intersect_word2vec_format(tmp_path / "5")


def test_fasttext_gives_unseen_words_vectors(sentences, tmp_path):
    from wordvec import FastText, FastTextKeyedVectors

    model = FastText(sentences, bucket=5000, min_n=3, max_n=5, **SETTINGS)
    assert isinstance(model.wv, FastTextKeyedVectors) and model.bucket == 5000
    assert "kingz" in model.wv and "kingz" not in model.wv.key_to_index
    assert model.wv["kingz"].shape == (20,)
    model.save(tmp_path / "ft")
    loaded = Word2Vec.load(tmp_path / "ft")
    np.testing.assert_array_equal(loaded.wv["kingz"], model.wv["kingz"])


def test_training_on_sentences_with_nothing_to_learn_returns_as_gensim(sentences):
    model = Word2Vec(sentences, **SETTINGS)
    before = model.wv.vectors.copy()
    with pytest.warns(UserWarning, match="nothing to train on"):
        assert model.train([["king", "neverseen"], ["zzz", "yyy"]], total_examples=2,
                           epochs=1) == (0, 4)
    np.testing.assert_array_equal(model.wv.vectors, before)
    with pytest.raises(ValueError, match="epochs must be"):
        model.train(sentences, total_examples=len(sentences), epochs=0)
    trained, raw = model.train(sentences[:100] + [["neverseen"]], epochs=2)
    assert raw == 2 * (sum(map(len, sentences[:100])) + 1) and 0 < trained < raw


def test_gensims_other_model_methods(sentences):
    model = Word2Vec(sentences, **SETTINGS)
    predicted = model.predict_output_word(["the", "king", "rules"], topn=3)
    assert len(predicted) == 3 and all(0 < p < 1 for _, p in predicted)
    assert model.predict_output_word(["zzz"]) is None
    memory = model.estimate_memory()
    assert memory["vectors"] == len(model.wv) * 20 * 4 and memory["total"] > 2 * memory["vectors"]
    fresh = Word2Vec(**SETTINGS)
    fresh.build_vocab_from_freq({"king": 9, "queen": 8, "rare": 1})
    assert fresh.wv.index_to_key == ["king", "queen"]
    with pytest.raises(ValueError, match="vector_size must be"):
        Word2Vec(vector_size=0)
    kv = model.wv
    kv.unit_normalize_all()
    np.testing.assert_allclose(np.linalg.norm(kv.vectors, axis=1), 1, rtol=1e-5)


def test_a_model_the_command_trained_loads_and_trains_further(corpus, tmp_path):
    from click.testing import CliRunner

    from wordvec.cli import main

    result = CliRunner().invoke(main, ["train", str(corpus), "-o", str(tmp_path / "m"), "--dim",
                                       "12", "--epochs", "1", "-q", "--whitespace"])
    assert result.exit_code == 0, result.output
    model = Word2Vec.load(tmp_path / "m")
    assert model.vector_size == 12 and model.sg == 1 and "king" in model.wv
    assert model.train([["the", "king", "rules", "the", "land"]] * 50, epochs=1)[0] > 0
