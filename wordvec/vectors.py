"""Word vectors and the queries users ask of them, under gensim's `KeyedVectors` names.

Every query is a matrix product: cosine similarities are `vectors @ q / norms` with the norms
computed once, so no second (V, D) table of unit vectors is kept; the top n come from
`np.argpartition`, never a full sort of the V scores; many queries at once are one GEMM.
"""
import numbers

import numpy as np

from npnlp.errors import UserError, quoted
from wordvec.evaluate import GENSIM_RESTRICT_VOCAB, evaluate_word_analogies, evaluate_word_pairs
from wordvec.formats import read_word2vec, write_projector, write_word2vec
from wordvec.native import is_native, load_native, save_native


class KeyedVectors:
    """Vectors indexed by word. vectors: (V, D) float32; index_to_key: the V words, most
    frequent first when they come from training (what `restrict_vocab` relies on);
    counts: (V,) int64 corpus counts, or None when the source had none."""

    def __init__(self, index_to_key, vectors, counts=None, lazy=False):
        self.index_to_key = list(index_to_key)
        self.vectors = vectors if isinstance(vectors, np.ndarray) else np.array(vectors,
                                                                                np.float32)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.index_to_key):
            raise UserError(f"{len(self.index_to_key)} words but vectors of shape "
                            f"{self.vectors.shape}")
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        self._norms = self._key_to_index = None
        if not lazy:   # else on first use: a saved model of 1 M words opens in 0.1 s
            self._build_index()

    @property
    def key_to_index(self):
        """word -> row."""
        return self._key_to_index if self._key_to_index is not None else self._build_index()

    def _build_index(self):
        index = dict(zip(self.index_to_key, range(len(self.index_to_key))))
        if len(index) < len(self.index_to_key):
            seen = set()
            word = next(w for w in self.index_to_key if w in seen or seen.add(w))
            raise UserError(f"the word {word!r} appears twice")
        self._key_to_index = index
        return index

    # --- lookups ---

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return key in self.key_to_index

    def __getitem__(self, keys):
        """The vector of a word, or the (n, D) vectors of a list of words."""
        if isinstance(keys, str):
            return self.get_vector(keys)
        return self.vectors[[self.get_index(k) for k in keys]]

    def __repr__(self):
        return f"KeyedVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    @property
    def norms(self):
        """The L2 norm of every vector (computed once; zero vectors count as norm 1)."""
        if self._norms is None:
            norms = np.linalg.norm(self.vectors, axis=1)
            self._norms = np.where(norms > 0, norms, 1).astype(self.vectors.dtype)
        return self._norms

    def get_index(self, key):
        """The row of `key`; a KeyError naming it when it is not in the vocabulary."""
        try:
            return self.key_to_index[key]
        except KeyError:
            raise KeyError(f"word {quoted(key)} not in vocabulary{self._case_hint(key)}") \
                from None

    def _case_hint(self, key):
        """' (it has 'horse')' when `key` is in the vocabulary in another case."""
        if isinstance(key, str):
            for other in (key.lower(), key.capitalize(), key.upper()):
                if other != key and other in self.key_to_index:
                    return f" (it has {other!r})"
        return ""

    def get_vector(self, key, norm=False):
        """The vector of `key`, scaled to unit length if `norm`."""
        i = self.get_index(key)
        return self.vectors[i] / self.norms[i] if norm else self.vectors[i]

    def unit_vectors(self, keys):
        """The (n, D) unit vectors of a list of words."""
        rows = np.array([self.get_index(k) for k in keys], dtype=np.int64)
        return self.vectors[rows] / self.norms[rows, None]

    # --- similarities ---

    def cosine_similarities(self, queries, restrict_vocab=None):
        """Cosines of the (Q, D) `queries` with the first `restrict_vocab` vectors (all by
        default), as one matrix product: a (Q, R) array."""
        queries = np.atleast_2d(np.asarray(queries, dtype=self.vectors.dtype))
        R = len(self) if restrict_vocab is None else min(restrict_vocab, len(self))
        sims = (queries / _row_norms(queries)[:, None]) @ self.vectors[:R].T
        sims /= self.norms[:R]
        return sims

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None, exclude=()):
        """The `topn` (word, cosine) pairs nearest to `vector`, best first. Given a (Q, D)
        matrix, a list of such lists, one per row, from one matrix product."""
        vector = np.asarray(vector)
        sims = self.cosine_similarities(vector, restrict_vocab)
        exclude = [exclude] * len(sims) if vector.ndim == 1 else exclude or [()] * len(sims)
        results = [self._top(row, topn, skip) for row, skip in zip(sims, exclude)]
        return results[0] if vector.ndim == 1 else results

    def most_similar(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """The words nearest to the mean of the unit vectors of `positive` words minus those
        of `negative` words (3CosAdd: king - man + woman), without the query words.

        positive, negative: a word, a vector, or a list of words, vectors or (word, weight)
        pairs. topn None returns the cosines with every word, as gensim does.
        """
        keys, weights = _weighted(positive, negative)
        mean = self._mean([self._unit(k) for k in keys], weights)
        if not mean.any():
            zero = [k for k in keys if isinstance(k, str) and not self.get_vector(k).any()]
            raise ValueError(f"the vector of {zero[0]!r} is all zeros: it has no direction, so "
                             f"no word is nearest to it" if zero else
                             "the query words cancel out: nothing is nearest to a zero vector")
        if topn is None:
            return self.cosine_similarities(mean, restrict_vocab)[0]
        skip = {self.key_to_index[k] for k in keys if isinstance(k, str)}
        return self.similar_by_vector(mean, topn, restrict_vocab, exclude=skip)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        return self.most_similar(word, topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """3CosMul (Levy & Goldberg, 2014): the words maximising the product of the shifted
        cosines (1 + cos) / 2 with the positive words divided by that with the negative ones
        (plus 1e-6), as gensim computes it."""
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive:
            raise ValueError("most_similar_cosmul needs at least one positive word")
        terms = np.stack([self._unit(k) for k in positive + negative])
        shifted = (1 + self.cosine_similarities(terms, restrict_vocab)) / 2
        n = len(positive)
        scores = shifted[:n].prod(axis=0) / (shifted[n:].prod(axis=0) + 1e-6)
        if topn is None:
            return scores
        skip = {self.key_to_index[k] for k in positive + negative if isinstance(k, str)}
        return self._top(scores, topn, skip)

    def similarity(self, w1, w2):
        """Cosine similarity of two words."""
        return float(self.get_vector(w1, norm=True) @ self.get_vector(w2, norm=True))

    def distance(self, w1, w2):
        """1 - cosine similarity."""
        return 1 - self.similarity(w1, w2)

    def n_similarity(self, ws1, ws2):
        """Cosine similarity of the means of two sets of words (raw vectors, as gensim)."""
        if not (len(ws1) and len(ws2)):
            raise ValueError("n_similarity needs two non-empty lists of words")
        m1, m2 = self[list(ws1)].mean(axis=0), self[list(ws2)].mean(axis=0)
        return float(m1 @ m2 / (np.linalg.norm(m1) * np.linalg.norm(m2)))

    def doesnt_match(self, words):
        """The word farthest from the mean of the unit vectors of `words`; words not in the
        vocabulary are left out, as gensim does."""
        used = [w for w in words if w in self]
        if not used:
            raise ValueError("doesnt_match needs at least one word in the vocabulary")
        unit = self.unit_vectors(used)
        mean = unit.mean(axis=0)
        return used[int(np.argmin(unit @ mean))]

    def rank(self, w1, w2):
        """1 + the number of words closer to `w1` than `w2` is (`w1` itself not counted)."""
        sims = self.cosine_similarities(self.get_vector(w1))[0]
        closer = sims > sims[self.get_index(w2)]
        closer[self.get_index(w1)] = False
        return int(closer.sum()) + 1

    # --- evaluation ---

    def evaluate_word_analogies(self, analogies, restrict_vocab=GENSIM_RESTRICT_VOCAB,
                                case_insensitive=True, dummy4unknown=False,
                                similarity_function="most_similar"):
        """gensim's method, with its arguments, defaults and result: (accuracy, sections),
        each section a dict of its name and its correct and incorrect questions, the last the
        total. `similarity_function="most_similar_cosmul"` answers by 3CosMul, where gensim's
        always uses most_similar. `wordvec.evaluate` gives the result as an `AnalogyResult`,
        and `wordvec evaluate` limits the vocabulary to word2vec.c's 30,000."""
        if similarity_function not in ("most_similar", "most_similar_cosmul"):
            raise ValueError(f"similarity_function must be 'most_similar' or "
                             f"'most_similar_cosmul', not {similarity_function!r}")
        result = evaluate_word_analogies(self, analogies, restrict_vocab, case_insensitive,
                                         similarity_function == "most_similar_cosmul",
                                         dummy4unknown)
        sections = [{"section": s.name, "correct": s.correct, "incorrect": s.incorrect}
                    for s in [*result.sections, result.total]]
        return result.total.accuracy, sections

    def evaluate_word_pairs(self, pairs, restrict_vocab=GENSIM_RESTRICT_VOCAB,
                            case_insensitive=True, dummy4unknown=False):
        """gensim's method, with its defaults and result: ((Pearson r, p), (Spearman rho, p),
        percentage of pairs with a word outside the vocabulary); `wordvec.evaluate` gives it
        as a `PairsResult`."""
        r = evaluate_word_pairs(self, pairs, restrict_vocab, case_insensitive, dummy4unknown)
        return (r.pearson, r.pearson_p), (r.spearman, r.spearman_p), 100 * r.oov_ratio

    # --- files ---

    @classmethod
    def load(cls, path, mmap=True, limit=None, **word2vec_options):
        """Vectors from a folder saved by `save` (memory-mapped unless `mmap` is false) or
        from a word2vec text or binary file (see `load_word2vec_format`); only the first
        `limit` words if given."""
        if not is_native(path):
            return cls.load_word2vec_format(path, limit=limit, **word2vec_options)
        words, arrays, _ = load_native(path, mmap)
        counts = arrays.get("counts")
        return cls(words[:limit], arrays["vectors"][:limit],
                   None if counts is None else counts[:limit], lazy=True)

    def save(self, folder, config=None):
        """Save to `folder` in the native format (see `wordvec.native`)."""
        arrays = {"vectors": self.vectors}
        if self.counts is not None:
            arrays["counts"] = self.counts
        save_native(folder, self.index_to_key, arrays, config)

    @classmethod
    def load_word2vec_format(cls, path, binary=None, limit=None, unicode_errors="strict"):
        """Vectors written by word2vec.c, gensim or fastText; see `wordvec.formats`."""
        return cls(*read_word2vec(path, binary, limit, unicode_errors))

    def save_word2vec_format(self, path, binary=False):
        """Write word2vec's text or binary format, atomically; see `wordvec.formats`."""
        write_word2vec(path, self.index_to_key, self.vectors, binary)

    def save_projector(self, folder):
        """Write the Embedding Projector's vectors.tsv and metadata.tsv into `folder`."""
        write_projector(folder, self.index_to_key, self.vectors)

    # --- helpers ---

    def _unit(self, key):
        if isinstance(key, str):
            return self.get_vector(key, norm=True)
        key = np.asarray(key, dtype=self.vectors.dtype)
        if key.shape != (self.vector_size,):
            raise ValueError(f"a query vector must have {self.vector_size} dimensions, "
                             f"got shape {key.shape}")
        return key

    @staticmethod
    def _mean(vectors, weights):
        """sum(w v) / sum(|w|), as gensim's get_mean_vector."""
        if not vectors:
            raise ValueError("cannot compute similarity with no input words")
        weights = np.asarray(weights, dtype=np.float32)
        return weights @ np.stack(vectors) / np.abs(weights).sum()

    def _top(self, scores, topn, skip=()):
        """(word, score) for the `topn` highest scores not at the rows in `skip`."""
        topn = min(topn, len(scores))
        k = min(topn + len(skip), len(scores))
        best = np.argpartition(scores, len(scores) - k)[-k:] if k < len(scores) else np.arange(k)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[i], float(scores[i])) for i in best if i not in skip][:topn]


def _as_list(items):
    if items is None:
        return []
    if isinstance(items, str) or (isinstance(items, np.ndarray) and items.ndim == 1):
        return [items]
    return list(items)


def _weighted(positive, negative):
    """(keys, weights): +1 for positive, -1 for negative, unless given as (key, weight)."""
    keys, weights = [], []
    for items, sign in ((_as_list(positive), 1.0), (_as_list(negative), -1.0)):
        for item in items:
            if isinstance(item, tuple) and isinstance(item[1], numbers.Real):
                keys.append(item[0])
                weights.append(float(item[1]))
            else:
                keys.append(item)
                weights.append(sign)
    return keys, weights


def _row_norms(x):
    norms = np.linalg.norm(x, axis=1)
    return np.where(norms > 0, norms, 1)
