"""Writing fastText's `.bin`: what our reader, gensim and the bytes of gensim's own files say."""
import numpy as np
import pytest
from click.testing import CliRunner

import wordvec
from corpora import synth
from npnlp.errors import UserError
from wordvec import load_facebook_vectors, save_facebook_model
from wordvec.cli import main
from wordvec.fasttext_bin import read_fasttext_model, write_fasttext_bin

SENTENCES = [line.split() for line in synth.generate(2000, seed=1)]
TINY = dict(vector_size=16, min_count=2, epochs=1, workers=1, seed=3)
UNSEEN = ["kingzz", "queendom", "xq"]


@pytest.fixture(scope="module", params=[dict(sg=1), dict(hs=1, negative=0), dict(hs=1)],
                ids=["sg-negative", "cbow-hierarchical", "cbow-both"])
def trained(request, tmp_path_factory):
    model = wordvec.FastText(SENTENCES, bucket=1000, **TINY, **request.param)
    path = tmp_path_factory.mktemp("ft") / "model.bin"
    save_facebook_model(model, path)
    return model, path


def test_word_and_unseen_vectors_read_back_identical(trained):
    model, path = trained
    kv = load_facebook_vectors(path)
    assert kv.index_to_key == model.wv.index_to_key
    assert kv.counts.tolist() == model.wv.counts.tolist()
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)
    for word in UNSEEN:
        assert kv.is_oov(word)
        np.testing.assert_array_equal(kv[word], model.wv[word])


def test_the_file_holds_fasttexts_settings_and_tables(trained):
    model, path = trained
    m = read_fasttext_model(path)
    hs = model.hs == 1 and not model.negative   # both: fastText's one objective, negative
    assert m.args == dict(dim=16, ws=5, epoch=1, minCount=2, neg=0 if hs else 5, wordNgrams=1,
                          loss=1 if hs else 2, model=2 if model.sg else 1, bucket=1000, minn=3,
                          maxn=6, lrUpdateRate=100, t=1e-3)
    assert m.ntokens == model.corpus_total_words
    np.testing.assert_array_equal(m.input, model.net.input.W.data)   # words, then buckets
    # fastText labels a branch with its code, word2vec.c with 1 - code: the rows negated,
    # one per word (the last unused)
    expected = np.vstack([-model.syn1, np.zeros((1, 16))]) if hs else model.syn1neg
    np.testing.assert_array_equal(m.output, expected)


def test_a_model_without_ngrams_is_written_as_fasttexts_maxn_0(tmp_path):
    model = wordvec.Word2Vec(SENTENCES, sg=1, **TINY)
    save_facebook_model(model, tmp_path / "w2v.bin")
    m = read_fasttext_model(tmp_path / "w2v.bin")
    assert (m.args["bucket"], m.args["maxn"]) == (0, 0) and m.input.shape == (len(model.wv), 16)
    kv = load_facebook_vectors(tmp_path / "w2v.bin")
    np.testing.assert_array_equal(kv.vectors, model.wv.vectors)    # a word is its own row
    assert "kingzz" not in kv


def test_gensim_loads_the_model_with_the_same_vectors(trained):
    pytest.importorskip("gensim")
    from gensim.models.fasttext import load_facebook_model

    model, path = trained
    theirs = load_facebook_model(str(path))
    hs = int(model.hs and not model.negative)   # both: written as negative sampling
    assert (theirs.sg, theirs.hs, theirs.negative) == (model.sg, hs, model.negative)
    assert theirs.wv.index_to_key == model.wv.index_to_key
    np.testing.assert_allclose(theirs.wv.vectors, model.wv.vectors, atol=1e-6)
    np.testing.assert_allclose(theirs.wv[UNSEEN], model.wv[UNSEEN], atol=1e-6)


def test_a_bin_gensim_wrote_is_rewritten_byte_for_byte(tmp_path):
    pytest.importorskip("gensim")
    from gensim.models.fasttext import FastText
    from gensim.models.fasttext import save_facebook_model as gensim_save

    gensim_save(FastText(SENTENCES, bucket=1000, min_n=2, max_n=4, **TINY),
                str(tmp_path / "g.bin"))
    write_fasttext_bin(tmp_path / "ours.bin", read_fasttext_model(tmp_path / "g.bin"))
    assert (tmp_path / "ours.bin").read_bytes() == (tmp_path / "g.bin").read_bytes()


def test_what_cannot_be_written_is_refused_in_one_line(tmp_path):
    with pytest.raises(UserError, match="no vocabulary") as e:
        save_facebook_model(wordvec.FastText(), tmp_path / "empty.bin")
    model = wordvec.FastText([["a\0b", "c"]] * 3, bucket=10, vector_size=4, min_count=1,
                             negative=1)
    with pytest.raises(UserError, match="NUL") as nul:
        save_facebook_model(model, tmp_path / "nul.bin")
    assert "\n" not in str(e.value) + str(nul.value)
    assert not list(tmp_path.iterdir())


def test_wordvec_train_and_convert_write_fasttexts_bin(tmp_path):
    corpus = tmp_path / "synth.txt"
    corpus.write_text("\n".join(synth.generate(2000, seed=1)) + "\n")
    common = [str(corpus), "--subwords", "--buckets", "1000", "--dim", "16", "--epochs", "1",
              "--min-count", "2", "-q"]
    run = CliRunner().invoke
    assert run(main, ["train", *common, "-o", str(tmp_path / "model")]).exit_code == 0
    assert run(main, ["train", *common, "-o", str(tmp_path / "direct.bin"),
                      "--format", "fasttext"]).exit_code == 0
    assert run(main, ["convert", str(tmp_path / "model"), str(tmp_path / "converted.bin"),
                      "--to", "fasttext"]).exit_code == 0
    assert (tmp_path / "direct.bin").read_bytes() == (tmp_path / "converted.bin").read_bytes()
    native, ft = wordvec.KeyedVectors.load(tmp_path / "model"), \
        wordvec.KeyedVectors.load(tmp_path / "direct.bin")
    for word in ["king", *UNSEEN]:
        np.testing.assert_allclose(ft[word], native[word], rtol=1e-6, atol=1e-7)
    assert run(main, ["convert", str(tmp_path / "direct.bin"), str(tmp_path / "again.bin"),
                      "--to", "fasttext"]).exit_code == 0
    assert (tmp_path / "again.bin").read_bytes() == (tmp_path / "direct.bin").read_bytes()
    run(main, ["convert", str(tmp_path / "model"), str(tmp_path / "v.txt")])
    refused = run(main, ["convert", str(tmp_path / "v.txt"), str(tmp_path / "x.bin"),
                         "--to", "fasttext"])
    assert refused.exit_code == 1 and "holds vectors alone" in refused.output
    assert not (tmp_path / "x.bin").exists()
