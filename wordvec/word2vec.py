"""`Word2Vec`: gensim's one-import class, a thin front on `wordvec.run`.

    from wordvec import Word2Vec
    model = Word2Vec(sentences, vector_size=100, window=5, min_count=5, workers=4)
    model.wv.most_similar("king")

The constructor takes gensim's names, meanings and defaults (CBOW, alpha 0.025, 3 workers);
`sentences` is an iterable of token lists read once into memory (4 bytes a token, so a
generator serves), `corpus_file` a text file of whitespace-separated words, a sentence a
line (gensim's LineSentence), read through the token cache. Training is `wordvec.run`'s:
the same trainer, checkpoint format and vectors as `wordvec train`.
"""
import os
import re
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from corpora import Corpus, Encoded, Tokenizer, Vocab, corpus_of_sentences, load_corpus
from npnlp.errors import Advice, UserError
from npnlp.training import Interrupted
from wordvec.config import TrainConfig
from wordvec.model import Word2VecNet
from wordvec.run import (
    check_run,
    is_trained_model,
    load_model,
    memory_needed,
    prepare,
    save_model,
    warn_if_small,
)
from wordvec.train import TrainState, train

GENSIM_NAMES = re.compile(r"^(dim|max_vocab)\b")
LINE_SENTENCE = Tokenizer(whitespace=True)   # gensim's corpus_file: split(), a line a sentence
NOT_SUPPORTED = {
    "trim_rule": "give min_count or max_final_vocab, or filter the sentences first",
    "hashfxn": "initial vectors come from the seed alone",
    "null_word": "it pads Doc2Vec's windows, which wordvec does not train",
    "batch_words": "step sizes follow from the vocabulary and workers (see the README)",
    "comment": "keep notes beside the saved folder",
}


class Word2Vec:
    """word2vec trained on `sentences` or `corpus_file` at once when one is given, else after
    `build_vocab` and `train`, as in gensim. hs=1 with negative=0 is hierarchical softmax,
    hs=0 with negative > 0 negative sampling, hs=1 with negative > 0 both at once (each with
    its output table, syn1 and syn1neg). max_vocab_size
    keeps at most that many of the most frequent words (gensim prunes rare words when
    counting passes it; wordvec counts exactly, so the result holds at least gensim's
    words). callbacks: objects with any of gensim's on_train_begin, on_epoch_begin,
    on_epoch_end and on_train_end(model). progress: a progress bar on stderr (wordvec's).
    """

    _model_settings = {}   # TrainConfig settings a subclass fixes (FastText's subwords)

    def __init__(self, sentences=None, corpus_file=None, vector_size=100, alpha=0.025,
                 window=5, min_count=5, max_vocab_size=None, sample=1e-3, seed=1, workers=3,
                 min_alpha=0.0001, sg=0, hs=0, negative=5, ns_exponent=0.75, cbow_mean=1,
                 epochs=5, callbacks=(), max_final_vocab=None, shrink_windows=True,
                 sorted_vocab=1, compute_loss=False, progress=False, **unsupported):
        for name in unsupported:
            why = NOT_SUPPORTED.get(name)
            raise TypeError(f"Word2Vec: {name}= is not supported: {why}" if why else
                            f"Word2Vec got an unexpected argument {name}=")
        if not shrink_windows or not sorted_vocab:
            raise ValueError("wordvec always draws each centre's window from 1..window and "
                             "sorts the vocabulary by count (shrink_windows and sorted_vocab "
                             "must stay on)")
        if not hs and not negative:
            raise ValueError("hs=0 and negative=0 leave nothing to train: set one of them")
        caps = [c for c in (max_vocab_size, max_final_vocab) if c is not None]
        try:
            self.config = TrainConfig(
                sg=bool(sg), cbow_mean=bool(cbow_mean),
                loss=("hierarchical+negative" if negative else "hierarchical") if hs else
                "negative", dim=vector_size, window=window,
                negative=negative or 5, ns_exponent=ns_exponent, sample=sample,
                min_count=min_count, max_vocab=min(caps) if caps else None, epochs=epochs,
                alpha=alpha, min_alpha=min_alpha, seed=seed, workers=workers,
                **self._model_settings)
        except UserError as e:   # the settings' names as gensim's caller wrote them
            raise UserError(GENSIM_NAMES.sub(lambda m: {"dim": "vector_size", "max_vocab":
                                                        "max_final_vocab"}[m[0]], str(e))) \
                from None
        self.callbacks, self.progress = tuple(callbacks), progress
        self.net = self.wv = self.state = None
        self.corpus_count = self.corpus_total_words = 0
        self._read = None    # build_vocab's (sentences, file, Encoded), for train to reuse
        if sentences is not None or corpus_file is not None:
            self.build_vocab(sentences, corpus_file)
            self.train(sentences, corpus_file, epochs=self.epochs)

    # gensim's attribute names, read from the settings
    vector_size = property(lambda self: self.config.dim)
    window = property(lambda self: self.config.window)
    min_count = property(lambda self: self.config.min_count)
    sample = property(lambda self: self.config.sample)
    seed = property(lambda self: self.config.seed)
    workers = property(lambda self: self.config.workers)
    sg = property(lambda self: int(self.config.sg))
    hs = property(lambda self: int(self.config.hierarchical))
    negative = property(lambda self: self.config.negative * self.config.negative_sampling)
    ns_exponent = property(lambda self: self.config.ns_exponent)
    cbow_mean = property(lambda self: int(self.config.cbow_mean))
    epochs = property(lambda self: self.config.epochs)
    alpha = property(lambda self: self.config.alpha)
    min_alpha = property(lambda self: self.config.min_alpha)

    @property
    def syn1neg(self):
        """The output table of negative sampling (word2vec.c's syn1neg)."""
        return self.net.output.W.data if self.net and self.negative else None

    @property
    def syn1(self):
        """The output table of hierarchical softmax, a row per inner node (syn1)."""
        return self.net.paths_output.W.data if self.net and self.hs else None

    def __repr__(self):
        words = len(self.wv) if self.wv is not None else 0
        return (f"Word2Vec<vocab={words}, vector_size={self.vector_size}, "
                f"alpha={self.alpha}>")

    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False,
                    progress_per=10000, keep_raw_vocab=False, trim_rule=None):
        """Count the words of the corpus, keep the vocabulary and start the weights."""
        if update:
            raise ValueError("update=True (adding words to a trained vocabulary) is not "
                             "supported: train a new model on the whole corpus")
        if trim_rule is not None:
            raise TypeError(f"build_vocab: trim_rule= is not supported: "
                            f"{NOT_SUPPORTED['trim_rule']}")
        corpus = self._corpus(corpus_iterable, corpus_file)
        words, counts, ids, offsets = prepare(corpus, self.config, LINE_SENTENCE)
        warn_if_small(corpus, len(ids))
        check_run(self.config, len(words), offsets)
        self.net = Word2VecNet(self.config, words, counts)
        self.wv, self.state = self.net.wv, None
        self.corpus_count = len(corpus.offsets) - 1
        self.corpus_total_words = int(corpus.counts.sum())
        self._read = (corpus_iterable, corpus_file, Encoded(ids, offsets),
                      self.corpus_total_words)

    def build_vocab_from_freq(self, word_freq, keep_raw_vocab=False, corpus_count=None,
                              trim_rule=None, update=False):
        """The vocabulary from {word: count} instead of a corpus; `train` then reads one."""
        if update or trim_rule is not None:
            raise ValueError("build_vocab_from_freq: update and trim_rule are not supported")
        vocab = Vocab.from_counts(list(word_freq), list(word_freq.values()),
                                  self.config.min_count, self.config.max_vocab)
        self.net = Word2VecNet(self.config, vocab.index_to_key, vocab.counts)
        self.wv, self.state, self._read = self.net.wv, None, None
        self.corpus_count = corpus_count or 0
        self.corpus_total_words = int(sum(word_freq.values()))

    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None,
              total_words=None, epochs=None, start_alpha=None, end_alpha=None, word_count=0,
              queue_factor=2, report_delay=1.0, compute_loss=False, callbacks=()):
        """Train `epochs` epochs (default: the model's) over the corpus, the learning rate
        falling from start_alpha to end_alpha (default: alpha, min_alpha), words outside the
        vocabulary skipped. A second call trains further from where the first ended.
        total_examples and total_words are accepted for gensim's calls: the corpus is read
        whole first, so they are counted, not needed. Ctrl-C stops between two steps and
        raises KeyboardInterrupt, the model keeping what it learned. Returns (words of the
        vocabulary trained on, before subsampling; all the words read), over the epochs:
        gensim's first figure counts after subsampling."""
        if self.net is None:
            raise RuntimeError("build the vocabulary first: build_vocab(sentences), as in "
                               "gensim, or give Word2Vec the sentences")
        encoded, raw_words = self._encoded(corpus_iterable, corpus_file)
        self.config = replace(self.config, epochs=self.epochs if epochs is None else epochs,
                              alpha=start_alpha or self.alpha,
                              min_alpha=self.min_alpha if end_alpha is None else end_alpha)
        if np.diff(encoded.offsets).max(initial=0) < 2:
            warnings.warn("no sentence given has two words of the vocabulary: nothing to "
                          "train on", Advice, stacklevel=2)
            return 0, raw_words * self.epochs
        self.net.config = self.config
        self.net.input.W.lr_scale = self._lockf()
        callbacks = self.callbacks + tuple(callbacks)
        self._call(callbacks, "on_train_begin")
        self._call(callbacks, "on_epoch_begin")

        def epoch_end(net, state):
            self.wv, self.state = net.wv, state   # its tables may have moved to shared memory
            self._call(callbacks, "on_epoch_end")
            if state.epoch < self.config.epochs:
                self._call(callbacks, "on_epoch_begin")

        try:
            self.state = train(self.net, encoded.ids, encoded.offsets, TrainState(),
                               self.progress, on_epoch_end=epoch_end)
        except Interrupted as stop:
            self.wv, self.state = self.net.wv, stop.state
            raise KeyboardInterrupt(f"training stopped in epoch {self.state.epoch + 1}; the "
                                    f"model keeps what it learned") from None
        self.wv = self.net.wv
        self._call(callbacks, "on_train_end")
        return self.state.words, raw_words * self.epochs

    def predict_output_word(self, context_words_list, topn=10):
        """The `topn` (word, probability) most likely centre words for the context words,
        by the softmax of the output table against their mean (negative sampling only, as
        in gensim); None if no context word is in the vocabulary."""
        if not self.negative or self.net is None:
            raise RuntimeError("predict_output_word needs a model trained with negative "
                               "sampling (negative > 0), as in gensim")
        known = [w for w in context_words_list if w in self.wv.key_to_index]
        if not known:
            return None
        h = np.mean([self.wv.get_vector(w) for w in known], axis=0)
        scores = self.syn1neg @ h
        p = np.exp(scores - scores.max())
        p /= p.sum()
        best = np.argsort(-p, kind="stable")[:topn]
        return [(self.wv.index_to_key[i], float(p[i])) for i in best]

    def estimate_memory(self, vocab_size=None, report=None):
        """{"vectors", "syn1neg" or "syn1", "training", "total": bytes} for a vocabulary of
        `vocab_size` words (default: the model's), by wordvec.run.memory_needed."""
        V = vocab_size or (len(self.net.words) if self.net else 0)
        table = V * self.vector_size * 4
        total = memory_needed(self.config, V)
        outputs = {name: table for name, used in (("syn1", self.hs), ("syn1neg", self.negative))
                   if used}
        return {"vectors": table, **outputs, "training": total - table * (1 + len(outputs)),
                "total": total}

    def _lockf(self):
        """The lock factors set on `wv` (by intersect_word2vec_format), or None."""
        lockf = self.wv.vectors_lockf
        if lockf is not None and len(lockf) != len(self.net.words):
            raise ValueError(f"wv.vectors_lockf has {len(lockf)} factors for a vocabulary of "
                             f"{len(self.net.words)} words")
        return None if lockf is None else np.asarray(lockf, np.float32)

    def get_latest_training_loss(self):
        """The loss summed over the predictions of the latest `train` call so far (float64;
        wordvec always computes it)."""
        if self.state is None:
            return 0.0
        done = sum(m * p for m, p in zip(self.state.epoch_loss, self.state.epoch_pairs))
        return float(done + self.state.loss_sum)

    def save(self, fname):
        """Save to the folder `fname` in the native format: `Word2Vec.load` and `wordvec
        train --resume` continue it, `KeyedVectors.load` reads its vectors."""
        if self.net is None:
            raise RuntimeError("nothing to save: the model has no vocabulary yet")
        save_model(fname, self.net, self.state)

    @classmethod
    def load(cls, fname):
        """A model saved by `save` or trained into a native folder by `wordvec train`."""
        if not is_trained_model(fname):
            if Path(fname).is_file() and Path(fname).read_bytes()[:1] == b"\x80":
                raise UserError(f"{fname} is a Python pickle (gensim's model.save()), which "
                                f"wordvec does not load: in gensim, write "
                                f"model.wv.save_word2vec_format(path, binary=True) and load "
                                f"that with KeyedVectors.load_word2vec_format")
            if not os.path.isdir(fname):
                raise UserError(f"{fname} is not a folder `Word2Vec.save` wrote")
        net, state, _ = load_model(fname)
        model = cls.__new__(cls)
        model.config, model.net, model.wv, model.state = net.config, net, net.wv, state
        model.callbacks, model.progress, model._read = (), False, None
        model.corpus_count = model.corpus_total_words = 0
        return model

    def _encoded(self, corpus_iterable, corpus_file):
        """(the corpus given, in the vocabulary's ids; its words, out-of-vocabulary ones
        included): build_vocab's, if it is the same."""
        if self._read is not None and self._read[0] is corpus_iterable \
                and self._read[1] == corpus_file:
            return self._read[2], self._read[3]
        corpus = self._corpus(corpus_iterable, corpus_file)
        return corpus.encode(Vocab(self.net.words, self.net.counts)), int(corpus.counts.sum())

    @staticmethod
    def _corpus(corpus_iterable, corpus_file):
        if (corpus_iterable is None) == (corpus_file is None):
            raise TypeError("give either sentences (corpus_iterable) or corpus_file, not both "
                            "or neither")
        if corpus_file is not None:
            return load_corpus(corpus_file, LINE_SENTENCE)
        if isinstance(corpus_iterable, Corpus):
            return corpus_iterable
        return corpus_of_sentences(corpus_iterable)

    def _call(self, callbacks, event):
        for callback in callbacks:
            if hasattr(callback, event):
                getattr(callback, event)(self)



class FastText(Word2Vec):
    """gensim's FastText: Word2Vec with subword vectors (`wordvec.subwords`), n-grams of
    min_n to max_n characters hashed into `bucket` rows; `wv` is a FastTextKeyedVectors,
    which gives unseen words vectors from their n-grams."""

    def __init__(self, sentences=None, corpus_file=None, min_n=3, max_n=6, bucket=2_000_000,
                 **settings):
        self._model_settings = dict(subwords=True, minn=min_n, maxn=max_n, buckets=bucket)
        super().__init__(sentences, corpus_file, **settings)

    min_n = property(lambda self: self.config.minn)
    max_n = property(lambda self: self.config.maxn)
    bucket = property(lambda self: self.config.buckets)
