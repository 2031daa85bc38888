"""numpy-nlp: word2vec and character language models from scratch on NumPy.

The tools are packages of their own, loaded on first use here:

    import npnlp
    npnlp.__version__
    npnlp.wordvec.Word2Vec, npnlp.charlm.CharLM, npnlp.corpora.load_corpus

This package holds what they share: the user-error type, atomic writes, the cache folder,
progress bars and the command-line group that turns errors into one line.
"""
import importlib
from importlib.metadata import PackageNotFoundError, version

from npnlp.errors import UserError
from npnlp.files import atomic_write, cache_root

DISTRIBUTION = "numpy-nlp"
TOOLS = ("wordvec", "charlm", "corpora", "nn")

try:
    __version__ = version(DISTRIBUTION)
except PackageNotFoundError:   # run from a source tree that was never installed
    __version__ = "unknown"


def __getattr__(name):
    if name in TOOLS:
        return importlib.import_module(name)
    raise AttributeError(f"module 'npnlp' has no attribute {name!r}")


__all__ = ["UserError", "__version__", "atomic_write", "cache_root", *TOOLS]
