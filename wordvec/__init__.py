"""word2vec: skip-gram and CBOW with exact softmax, negative sampling or hierarchical softmax;
word vectors with gensim's query names, word2vec's file formats, and evaluation."""
from wordvec.evaluate import evaluate_word_analogies, evaluate_word_pairs
from wordvec.fasttext_bin import save_facebook_model
from wordvec.vectors import FastTextKeyedVectors, KeyedVectors, load_facebook_vectors
from wordvec.word2vec import FastText, Word2Vec

__all__ = ["FastText", "FastTextKeyedVectors", "KeyedVectors", "Word2Vec",
           "evaluate_word_analogies", "evaluate_word_pairs", "load_facebook_vectors",
           "save_facebook_model"]
