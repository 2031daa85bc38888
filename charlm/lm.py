"""A trained character model with its vocabulary: what a Python user samples from and
scores text with."""
import math

from charlm.sample import generate
from charlm.train import evaluate, fit, load


class CharLM:
    def __init__(self, model, vocab):
        self.model, self.vocab = model, vocab

    @classmethod
    def load(cls, path):
        """The model of a checkpoint written by `charlm train`."""
        model, vocab, *_ = load(path)
        return cls(model, vocab)

    @classmethod
    def train(cls, text, checkpoint, config=None, **options):
        """Train a model on `text` as `charlm train` does (`options` as `charlm.train.fit`
        takes them: resume, init_from, force, changes, progress, cache) and return the one
        kept in `checkpoint`, the best by validation loss."""
        fit(text, checkpoint, config, **options)
        return cls.load(checkpoint)

    def generate(self, length, temperature=1.0, top_k=None, top_p=None, prime="", seed=None):
        """Yield `length` characters one by one (see `charlm.sample.generate`)."""
        return generate(self.model, self.vocab, length, temperature, top_k, top_p, prime,
                        seed)

    def sample(self, length, temperature=1.0, top_k=None, top_p=None, prime="", seed=None):
        """`length` generated characters that continue `prime`, as one string (without the
        prime itself)."""
        return "".join(self.generate(length, temperature, top_k, top_p, prime, seed))

    def evaluate(self, text):
        """The model's loss on `text`, in nats per character (divide by ln 2 for bits)."""
        return evaluate(self.model, self.vocab.encode(text))

    def bits_per_char(self, text):
        return self.evaluate(text) / math.log(2)
