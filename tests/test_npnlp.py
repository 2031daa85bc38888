"""`import npnlp` gives the installed version and the tools."""
from importlib.metadata import version

import pytest

import npnlp


def test_version_is_the_distributions():
    assert npnlp.__version__ == version("numpy-nlp")


def test_tools_load_on_first_use():
    assert npnlp.wordvec.Word2Vec.__module__ == "wordvec.word2vec"
    assert npnlp.charlm.CharLM.__module__ == "charlm.lm"
    assert callable(npnlp.corpora.load_corpus)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'word2vec'"):
        _ = npnlp.word2vec
