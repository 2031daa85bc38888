"""Word vocabulary: words, their counts, and the integer ids they are encoded with."""
from collections import Counter
from itertools import repeat

import numpy as np

from npnlp.errors import UserError
from npnlp.files import atomic_write


class Vocab:
    """Words with their corpus counts; a word's id is its position in `words`.

    words: list of str.   counts: int64 array (V,), the count of each word.

    `from_counts` orders the words by count, most frequent first, ties broken by the order
    in which the words were first seen, so one corpus always gives the same ids. `save` and
    `load` use word2vec.c's `-save-vocab` format: a line `word count` per word, in id order.
    """

    def __init__(self, words, counts):
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        if self.counts.shape != (len(self.words),):
            raise ValueError(f"{len(self.words)} words but counts of shape {self.counts.shape}")
        self._ids = dict(zip(self.words, range(len(self.words))))
        if len(self._ids) < len(self.words):
            word = next(w for w, n in Counter(self.words).items() if n > 1)
            raise UserError(f"the word {word!r} is in the vocabulary twice")

    @classmethod
    def from_counts(cls, words, counts, min_count=1, max_vocab=None, unk=None):
        """The words counted at least `min_count` times, at most `max_vocab` of them (the most
        frequent), ordered by count; ties keep the order of `words`, which should be the
        order first seen (as a Corpus's `types` and a Counter's keys are).

        words, counts: parallel iterables, such as a Counter's keys() and values().

        unk: if given, the counts of the words left out are pooled into this one entry,
            given id 0 (it does not count towards `max_vocab`).
        """
        if min_count < 1 or (max_vocab is not None and max_vocab < 1):
            raise UserError(f"min_count and max_vocab must be at least 1, "
                            f"not {min_count} and {max_vocab}")
        words = np.asarray(list(words), dtype=object)
        counts = np.fromiter(counts, dtype=np.int64, count=len(words))
        keep = counts >= min_count
        if unk is not None:
            keep &= words != unk
        order = np.argsort(-counts, kind="stable")
        order = order[keep[order]][:max_vocab]
        if not len(order):
            raise UserError(f"empty vocabulary: no word occurs at least {min_count} times "
                            f"(the most frequent occurs {counts.max(initial=0)} times)")
        vocab = cls(words[order].tolist(), counts[order])
        if unk is None:
            return vocab
        return cls([unk, *vocab.words], np.r_[counts.sum() - vocab.counts.sum(), vocab.counts])

    def __len__(self):
        return len(self.words)

    def __contains__(self, word):
        return word in self._ids

    def __iter__(self):
        return iter(self.words)

    def __repr__(self):
        return f"Vocab({len(self)} words, {self.counts.sum()} tokens)"

    def index(self, word):
        """The id of `word`; KeyError if it is not in the vocabulary."""
        try:
            return self._ids[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the vocabulary") from None

    def to_ids(self, tokens, unk=None):
        """The ids of `tokens` as an int32 array. Out-of-vocabulary tokens are dropped, or,
        if `unk` is given, get the id of that word."""
        ids = np.fromiter(map(self._ids.get, tokens, repeat(-1)), dtype=np.int32)
        if unk is None:
            return ids[ids >= 0]
        ids[ids < 0] = self.index(unk)
        return ids

    def save(self, path):
        """Write the vocabulary as `word count` lines, in id order, atomically."""
        with atomic_write(path) as f:
            f.writelines(f"{w} {c}\n" for w, c in zip(self.words, self.counts.tolist()))

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by `save` or by word2vec.c's `-save-vocab`, in file order.

        word2vec.c's files begin with `</s>`, its sentence-end token: it is kept, as id 0.
        """
        words, counts = [], []
        try:
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    word, _, count = line.rstrip("\r\n").rpartition(" ")
                    if not (word or count):
                        continue
                    if not word or not count.isdecimal():
                        raise UserError(f"{path}, line {n}: expected 'word count', "
                                        f"not {line.strip()!r}")
                    words.append(word)
                    counts.append(int(count))
        except UnicodeDecodeError:
            raise UserError(f"{path} is not a UTF-8 text file") from None
        if not words:
            raise UserError(f"no words in vocabulary file {path}")
        return cls(words, counts)
