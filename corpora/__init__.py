"""From text on disk to integer arrays: reading, tokenizing, vocabularies, public corpora."""
from corpora.chars import CharVocab
from corpora.corpus import Corpus, Encoded, default_cache_dir, load_corpus
from corpora.errors import UserError
from corpora.read import ReadStats, list_files, read_chunks, read_text
from corpora.tokenize import Tokenizer, iter_tokens, write_tokens
from corpora.vocab import Vocab

__all__ = [
    "CharVocab", "Corpus", "Encoded", "ReadStats", "Tokenizer", "UserError", "Vocab",
    "default_cache_dir", "iter_tokens", "list_files", "load_corpus", "read_chunks",
    "read_text", "write_tokens",
]
