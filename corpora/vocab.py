"""Word vocabulary: words, their counts, and the integer ids they are encoded with."""
from collections import Counter

import numpy as np

from npnlp.errors import UserError, check_count
from npnlp.files import atomic_write


class Vocab:
    """Words with their corpus counts; a word's id is its position in `index_to_key`.

    index_to_key: list of str (V,).   key_to_index: dict, word -> id.
    counts: int64 array (V,), the count of each word.
    unk: the word that stands for every word left out, or None (left-out words are dropped).

    The names are gensim's `KeyedVectors` names. `save` and `load` use word2vec.c's
    `-save-vocab` format: a line `word count` per word, in id order.
    """

    def __init__(self, words, counts, unk=None):
        self.index_to_key = list(words)
        self.counts = np.asarray(counts)
        if self.counts.shape != (len(self.index_to_key),):
            raise UserError(f"{len(self.index_to_key)} words but counts of shape "
                            f"{self.counts.shape}")
        if self.counts.dtype.kind not in "iu" or (self.counts < 0).any():
            raise UserError("counts must be non-negative integers")
        self.counts = self.counts.astype(np.int64)
        self.key_to_index = dict(zip(self.index_to_key, range(len(self.index_to_key))))
        if len(self.key_to_index) < len(self.index_to_key):
            word = next(w for w, n in Counter(self.index_to_key).items() if n > 1)
            raise UserError(f"the word {word!r} is in the vocabulary twice")
        if unk is not None and unk not in self.key_to_index:
            raise UserError(f"the unknown-word stand-in {unk!r} is not in the vocabulary")
        self.unk = unk

    @classmethod
    def from_counts(cls, words, counts, min_count=1, max_vocab=None, unk=None):
        """The words counted at least `min_count` times, at most `max_vocab` of them (the most
        frequent), ordered by count, most frequent first; ties keep the order of `words`
        (a Corpus's `types` and a Counter's keys are in the order first seen), so one corpus
        always gives the same ids. gensim breaks ties in an unspecified order.

        words, counts: parallel sequences, such as a Corpus's `types` and `counts`.

        unk: if given, the counts of the words left out are pooled into this one entry,
            given id 0 (it does not count towards `max_vocab`), and `to_ids` maps every
            left-out word to it.
        """
        check_count("min_count", min_count)
        if max_vocab is not None:
            check_count("max_vocab", max_vocab)
        words = np.asarray(list(words), dtype=object)
        counts = np.asarray(list(counts))
        if counts.shape != words.shape:
            raise UserError(f"{len(words)} words but {len(counts)} counts")
        if counts.size and (counts.dtype.kind not in "iu" or counts.min() < 0):
            raise UserError("counts must be non-negative integers")
        counts = counts.astype(np.int64)
        keep = counts >= min_count
        if unk is not None:
            keep &= words != unk
        order = np.argsort(-counts, kind="stable")
        order = order[keep[order]][:max_vocab]
        if not len(order):
            most = counts.max(initial=0)
            raise UserError(f"empty vocabulary: no word occurs at least {min_count} times "
                            f"(the most frequent: {most} time{'' if most == 1 else 's'}; "
                            f"lower --min-count?)")
        if unk is None:
            return cls(words[order].tolist(), counts[order])
        kept = counts[order]
        return cls([unk, *words[order].tolist()], np.r_[counts.sum() - kept.sum(), kept], unk)

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, word):
        return word in self.key_to_index

    def __iter__(self):
        return iter(self.index_to_key)

    def __repr__(self):
        return f"Vocab({len(self)} words, {self.counts.sum()} tokens, unk={self.unk!r})"

    def get_index(self, word, default=None):
        """The id of `word`; `default` if given, else KeyError, when it is not in the
        vocabulary."""
        try:
            return self.key_to_index[word]
        except KeyError:
            if default is not None:
                return default
            raise KeyError(f"{word!r} is not in the vocabulary") from None

    def to_ids(self, tokens):
        """The ids of `tokens` as an int32 array: a token not in the vocabulary gets the id
        of `unk`, or is dropped if the vocabulary has none."""
        ids = self.lookup(tokens)
        return ids if self.unk is not None else ids[ids >= 0]

    def lookup(self, tokens):
        """`to_ids` that keeps a place for every token: -1 where a token is unknown and the
        vocabulary has no `unk`."""
        missing = -1 if self.unk is None else self.key_to_index[self.unk]
        get = self.key_to_index.get
        return np.fromiter((get(t, missing) for t in tokens), dtype=np.int32)

    def save(self, path):
        """Write the vocabulary as `word count` lines, in id order, atomically."""
        with atomic_write(path) as f:
            f.writelines(f"{w} {c}\n" for w, c in zip(self.index_to_key, self.counts.tolist()))

    @classmethod
    def load(cls, path, unk=None):
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
        return cls(words, counts, unk)

