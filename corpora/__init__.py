"""From text on disk to integer arrays: reading, tokenizing, vocabularies, public corpora."""
from corpora import encoded, synth
from corpora.chars import CharCorpus, CharVocab, load_chars
from corpora.corpus import Corpus, Encoded, corpus_of_sentences, load_corpus
from corpora.download import fetch
from corpora.phrases import ENGLISH_CONNECTOR_WORDS, Phrases
from corpora.read import ReadStats, list_files, read_chunks, read_text
from corpora.registry import REGISTRY, PublicCorpus
from corpora.tokenize import Tokenizer, iter_tokens, write_tokens
from corpora.vocab import Vocab

__all__ = [
    "ENGLISH_CONNECTOR_WORDS", "REGISTRY", "CharCorpus", "CharVocab", "Corpus", "Encoded",
    "Phrases", "PublicCorpus", "ReadStats", "Tokenizer", "Vocab", "corpus_of_sentences",
    "fetch", "iter_tokens", "list_files", "load_chars", "load_corpus", "read_chunks",
    "read_text", "encoded", "synth", "write_tokens",
]
