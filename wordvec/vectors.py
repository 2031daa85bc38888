"""Word vectors and the queries users ask of them, under gensim's `KeyedVectors` names,
arguments and defaults.

Every query is a matrix product: cosine similarities are `vectors @ q / norms` with the norms
computed once, so no second (V, D) table of unit vectors is kept; the top n come from
`np.argpartition`, never a full sort of the V scores; many queries at once are one GEMM.
"""
import numbers
import operator

import numpy as np

from npnlp.errors import UserError, quoted
from wordvec.evaluate import GENSIM_RESTRICT_VOCAB, evaluate_word_analogies, evaluate_word_pairs
from wordvec.fasttext_bin import is_fasttext_bin, read_fasttext_bin
from wordvec.formats import read_word2vec, write_projector, write_word2vec
from wordvec.native import is_native, load_native, save_native
from wordvec.subwords import Subwords, bucket_ids

KEY_TYPES = (str, numbers.Integral)   # a key, or the row of one (gensim's _KEY_TYPES)


class KeyedVectors:
    """Vectors indexed by word, gensim's class: `KeyedVectors(vector_size, count=0,
    dtype=np.float32)` makes `count` empty slots that `add_vector` fills, `add_vectors`
    appends; `KeyedVectors.from_vectors(words, vectors, counts)` wraps arrays.

    vectors: (V, D); index_to_key: the V words, most frequent first when they come from
    training (what `restrict_vocab` relies on); counts: (V,) int64 corpus counts (the
    vector attribute "count"), or None when the source had none. A key is a word, or an
    integer row number (kv[0] is the first vector), as in gensim.
    """

    def __init__(self, vector_size, count=0, dtype=np.float32):
        self.index_to_key = [None] * count
        self.vectors = np.zeros((count, vector_size), dtype=dtype)
        self.attrs = {}            # name -> (V,) array: gensim's vecattrs ("count")
        self.next_index = 0        # the next empty slot add_vector fills
        self.vectors_lockf = None  # (V,) float32 update factors Word2Vec training honours
        self._norms = self._key_to_index = None

    @classmethod
    def from_vectors(cls, words, vectors, counts=None, lazy=False):
        """Vectors for `words` from a (V, D) array (kept, not copied, when it is one).
        `lazy`: build the word index on first use, so a saved model of 1 M words opens in
        0.1 s."""
        words = list(words)
        vectors = vectors if isinstance(vectors, np.ndarray) else np.array(vectors, np.float32)
        if vectors.ndim != 2 or len(vectors) != len(words):
            raise UserError(f"{len(words)} words but vectors of shape {vectors.shape}")
        kv = cls(vectors.shape[1], dtype=vectors.dtype)
        kv.index_to_key, kv.vectors, kv.next_index = words, vectors, len(words)
        kv.counts = counts
        if not lazy:
            kv._build_index()
        return kv

    @property
    def counts(self):
        """The corpus count of each word, or None."""
        return self.attrs.get("count")

    @counts.setter
    def counts(self, counts):
        if counts is None:
            self.attrs.pop("count", None)
        else:
            self.attrs["count"] = np.asarray(counts, dtype=np.int64).reshape(len(self))

    @property
    def key_to_index(self):
        """word -> row."""
        return self._key_to_index if self._key_to_index is not None else self._build_index()

    def _build_index(self):
        index = {k: i for i, k in enumerate(self.index_to_key) if k is not None}
        if len(index) < len(self.index_to_key) - self.index_to_key.count(None):
            seen = set()
            word = next(w for w in self.index_to_key if w in seen or seen.add(w))
            raise UserError(f"the word {word!r} appears twice")
        self._key_to_index = index
        return index

    # --- lookups ---

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return self.has_index_for(key)

    def __getitem__(self, keys):
        """The vector of a key, or the (n, D) vectors of a list of keys."""
        if isinstance(keys, KEY_TYPES):
            return self.get_vector(keys)
        return self.vectors[self._rows(keys)]

    def __setitem__(self, keys, vectors):
        """Set the vector of a key, or of each of a list of keys, adding those not there."""
        if isinstance(keys, KEY_TYPES):
            keys, vectors = [keys], np.reshape(vectors, (1, -1))
        self.add_vectors(keys, vectors, replace=True)

    def __repr__(self):
        return f"KeyedVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self):
        return self.vectors.shape[1]

    @property
    def norms(self):
        """The L2 norm of every vector (computed once; a zero vector counts as norm 1, so that
        it divides to a zero unit vector, not NaN as in gensim)."""
        if self._norms is None:
            norms = np.linalg.norm(self.vectors, axis=1)
            self._norms = np.where(norms > 0, norms, 1).astype(self.vectors.dtype)
        return self._norms

    def fill_norms(self, force=False):
        """Compute the norms now (again, if `force`): queries use them."""
        if force:
            self._norms = None
        return self.norms

    def unit_normalize_all(self):
        """Scale every vector to unit length, in place (gensim's; lengths are lost)."""
        self._writable()[...] = self.get_normed_vectors()
        self._edited()

    def init_sims(self, replace=False):
        """gensim's deprecated name: the norms, or with `replace` unit_normalize_all."""
        if replace:
            self.unit_normalize_all()
        self.fill_norms()

    def get_normed_vectors(self):
        """Every vector scaled to unit length, a new (V, D) array."""
        return self.vectors / self.norms[:, None]

    def get_index(self, key, default=None):
        """The row of `key`: a word's row, or an integer row itself; `default` if given, else
        a KeyError naming the word, when it is neither."""
        index = self.key_to_index.get(key, -1) if isinstance(key, str) else -1
        if index >= 0:
            return index
        if isinstance(key, numbers.Integral) and not isinstance(key, bool) \
                and 0 <= key < len(self):
            return int(key)
        if default is not None:
            return default
        if isinstance(key, str):
            raise KeyError(f"word {quoted(key)} not in vocabulary{self._case_hint(key)}")
        raise KeyError(f"key {key!r} not present: {len(self):,} rows")

    def has_index_for(self, key):
        """Whether `key` is a word with a vector, or a row number."""
        return self.get_index(key, -1) >= 0

    def _case_hint(self, key):
        """' (it has 'horse')' when `key` is in the vocabulary in another case."""
        for other in (key.lower(), key.capitalize(), key.upper()):
            if other != key and other in self.key_to_index:
                return f" (it has {other!r})"
        return ""

    def _rows(self, keys):
        return np.array([self.get_index(k) for k in keys], dtype=np.int64)

    def get_vector(self, key, norm=False):
        """The vector of `key`, scaled to unit length if `norm`."""
        i = self.get_index(key)
        return self.vectors[i] / self.norms[i] if norm else self.vectors[i]

    def unit_vectors(self, keys):
        """The (n, D) unit vectors of a list of keys."""
        rows = self._rows(keys)
        return self.vectors[rows] / self.norms[rows, None]

    def get_vecattr(self, key, attr):
        """The attribute `attr` ("count") of `key`'s vector; KeyError if no vector has it."""
        if attr not in self.attrs:
            raise KeyError(f"no vector attribute {attr!r}: these vectors have "
                           f"{sorted(self.attrs) or 'none'}")
        return self.attrs[attr][self.get_index(key)].item()

    def set_vecattr(self, key, attr, value):
        """Set the attribute `attr` of `key`'s vector (the others of a new attribute are 0)."""
        index = self.get_index(key)
        if attr not in self.attrs:
            dtype = np.int64 if isinstance(value, numbers.Integral) else np.asarray(value).dtype
            self.attrs[attr] = np.zeros(len(self), dtype)
        self.attrs[attr][index] = value

    # --- building and editing ---

    def add_vector(self, key, vector):
        """Put `vector` in the next empty slot (one made by `count`), else append it; returns
        its row. gensim's: an existing key is not looked for (use kv[key] = vector)."""
        index = self.next_index
        if index < len(self) and self.index_to_key[index] is None:
            self.index_to_key[index] = key
            self._writable()[index] = vector
            self._edited()
            if self._key_to_index is not None:
                self._key_to_index[key] = index
        else:
            index = len(self)
            self.add_vectors([key], np.reshape(vector, (1, -1)))
        self.next_index = index + 1
        return index

    def add_vectors(self, keys, weights, extras=None, replace=False):
        """Append the vectors of the keys not present; with `replace`, overwrite those present.
        extras: {attribute: (n,) values} set for the same keys ("count", say)."""
        if isinstance(keys, KEY_TYPES):
            keys, weights = [keys], np.reshape(weights, (1, -1))
        weights = np.asarray(weights, dtype=self.vectors.dtype)
        if weights.shape != (len(keys), self.vector_size):
            raise ValueError(f"{len(keys)} keys need vectors of shape "
                             f"({len(keys)}, {self.vector_size}), not {weights.shape}")
        if len(set(keys)) < len(keys):
            raise ValueError("the keys to add repeat a key")
        present = np.array([self.has_index_for(k) for k in keys], dtype=bool)
        new = [k for k, p in zip(keys, present) if not p]
        bad = [k for k in new if not isinstance(k, str)]
        if bad:
            raise KeyError(f"a new key must be a word: {bad[0]!r} is not, and no row has that "
                           f"number")
        start = len(self)
        self.index_to_key.extend(new)
        self.vectors = np.concatenate([self.vectors, weights[~present]])
        for name, values in self.attrs.items():
            self.attrs[name] = np.concatenate([values, np.zeros(len(new), values.dtype)])
        if self.vectors_lockf is not None:
            self.vectors_lockf = np.r_[self.vectors_lockf, np.ones(len(new), np.float32)]
        if self._key_to_index is not None:
            self._key_to_index.update(zip(new, range(start, start + len(new))))
        if replace:
            self._writable()[self._rows(keys)[present]] = weights[present]
        for name, values in (extras or {}).items():
            for key, value, was_present in zip(keys, values, present):
                if replace or not was_present:
                    self.set_vecattr(key, name, value)
        self._edited()

    def sort_by_descending_frequency(self):
        """Reorder the vectors by count, most frequent first; ties keep their order (gensim
        reverses tied words)."""
        if self.counts is None:
            raise ValueError("these vectors have no counts to sort by (load them with fvocab= "
                             "or set them with set_vecattr(key, 'count', n))")
        order = np.argsort(-self.counts, kind="stable")
        self.index_to_key = [self.index_to_key[i] for i in order]
        self.vectors = self.vectors[order]
        self.attrs = {name: values[order] for name, values in self.attrs.items()}
        if self.vectors_lockf is not None:
            self.vectors_lockf = self.vectors_lockf[order]
        self._key_to_index = None
        self._edited()

    def vectors_for_all(self, keys, allow_inference=True, copy_vecattrs=False):
        """A new KeyedVectors with the vectors of those of `keys` present, each once, in the
        order given (gensim's; `allow_inference` matters to fastText's vectors only)."""
        words = list(dict.fromkeys(k for k in keys if k in self))
        rows = self._rows(words)
        attrs = {n: v[rows] for n, v in self.attrs.items()} if copy_vecattrs else {}
        kv = KeyedVectors.from_vectors(words, self.vectors[rows], attrs.pop("count", None))
        kv.attrs.update(attrs)
        return kv

    def _writable(self):
        """The vectors, copied first if they are a read-only memory map."""
        if not self.vectors.flags.writeable:
            self.vectors = np.array(self.vectors)
        return self.vectors

    def _edited(self):
        self._norms = None

    # --- similarities ---

    @staticmethod
    def cosine_similarities(vector_1, vectors_all):
        """The cosines of `vector_1` (D,) with each row of `vectors_all` (n, D): gensim's."""
        vectors_all = np.asarray(vectors_all)
        return vectors_all @ vector_1 / (np.linalg.norm(vector_1) *
                                         np.linalg.norm(vectors_all, axis=1))

    def cosines(self, queries, clip_start=0, clip_end=None):
        """Cosines of the (Q, D) `queries` with the vectors of rows clip_start..clip_end (all
        by default), as one matrix product: a (Q, R) array."""
        queries = np.atleast_2d(np.asarray(queries, dtype=self.vectors.dtype))
        rows = slice(clip_start, len(self) if clip_end is None else min(clip_end, len(self)))
        sims = (queries / _row_norms(queries)[:, None]) @ self.vectors[rows].T
        sims /= self.norms[rows]
        return sims

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None, exclude=()):
        """The `topn` (word, cosine) pairs nearest to `vector`, best first. Given a (Q, D)
        matrix, a list of such lists, one per row, from one matrix product."""
        vector = np.asarray(vector)
        sims = self.cosines(vector, 0, restrict_vocab)
        exclude = [exclude] * len(sims) if vector.ndim == 1 else exclude or [()] * len(sims)
        results = [self._top(row, topn, skip) for row, skip in zip(sims, exclude)]
        return results[0] if vector.ndim == 1 else results

    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None):
        """The words nearest to the mean of the unit vectors of `positive` keys minus those
        of `negative` keys (3CosAdd: king - man + woman), without the query words.

        positive, negative: a key, a vector, or a list of keys, vectors or (key, weight)
        pairs. Only the rows clip_start..clip_end are searched (restrict_vocab n: the first
        n). topn None returns the cosines with every searched row, as gensim does.
        """
        if indexer is not None:
            raise ValueError("wordvec answers exactly, with one matrix product over the "
                             "vectors: approximate indexers (Annoy) are not supported")
        if restrict_vocab is not None:
            clip_start, clip_end = 0, restrict_vocab
        keys, weights = _weighted(positive, negative)
        mean = self._mean([self._unit(k) for k in keys], weights)
        if not mean.any():
            zero = [k for k in keys if isinstance(k, KEY_TYPES) and not self[k].any()]
            raise ValueError(f"the vector of {zero[0]!r} is all zeros: it has no direction, so "
                             f"no word is nearest to it" if zero else
                             "the query words cancel out: nothing is nearest to a zero vector")
        sims = self.cosines(mean, clip_start, clip_end)[0]
        if topn is None:
            return sims
        skip = {self.get_index(k, -1) - clip_start for k in keys if isinstance(k, KEY_TYPES)}
        return self._top(sims, topn, skip, offset=clip_start)

    def similar_by_word(self, word, topn=10, restrict_vocab=None):
        return self.most_similar(word, topn=topn, restrict_vocab=restrict_vocab)

    similar_by_key = similar_by_word

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """3CosMul (Levy & Goldberg, 2014): the words maximising the product of the shifted
        cosines (1 + cos) / 2 with the positive words divided by that with the negative ones
        (plus 1e-6), as gensim computes it."""
        positive, negative = _as_list(positive), _as_list(negative)
        if not positive:
            raise ValueError("most_similar_cosmul needs at least one positive word")
        terms = np.stack([self._unit(k) for k in positive + negative])
        shifted = (1 + self.cosines(terms, 0, restrict_vocab)) / 2
        n = len(positive)
        scores = shifted[:n].prod(axis=0) / (shifted[n:].prod(axis=0) + 1e-6)
        if topn is None:
            return scores
        skip = {self.get_index(k, -1) for k in positive + negative if isinstance(k, KEY_TYPES)}
        return self._top(scores, topn, skip)

    def similarity(self, w1, w2):
        """Cosine similarity of two keys: exactly 1 for a word with itself."""
        i, j = self.get_index(w1, -1), self.get_index(w2, -1)
        if (i == j and i >= 0) or (i < 0 and w1 == w2):
            return float(self.get_vector(w1).any())
        cos = self.get_vector(w1, norm=True) @ self.get_vector(w2, norm=True)
        return float(np.clip(cos, -1, 1))

    def distance(self, w1, w2):
        """1 - cosine similarity: exactly 0 for a word with itself."""
        return 1 - self.similarity(w1, w2)

    def distances(self, word_or_vector, other_words=()):
        """1 - the cosines of a key or vector with `other_words` (all the vectors if empty)."""
        rows = self._rows(other_words) if len(other_words) else slice(None)
        if isinstance(word_or_vector, KEY_TYPES):
            i = self.get_index(word_or_vector)
            cos = self.cosines(self.vectors[i])[0][rows]
            index = np.arange(len(self))[rows]
            cos[index == i] = float(self.vectors[i].any())
        else:
            cos = self.cosines(word_or_vector)[0][rows]
        return 1 - cos

    def closer_than(self, key1, key2):
        """The words closer to `key1` than `key2` is, `key1` itself left out."""
        return [self.index_to_key[i] for i in np.flatnonzero(self._closer(key1, key2))]

    words_closer_than = closer_than

    def rank(self, key1, key2):
        """1 + the number of words closer to `key1` than `key2` is."""
        return int(self._closer(key1, key2).sum()) + 1

    def _closer(self, key1, key2):
        sims = self.cosines(self.get_vector(key1))[0]
        closer = sims > sims[self.get_index(key2)]
        closer[self.get_index(key1)] = False
        return closer

    def most_similar_to_given(self, key1, keys_list):
        """The key of `keys_list` most similar to `key1`."""
        return keys_list[int(np.argmax([self.similarity(key1, k) for k in keys_list]))]

    def relative_cosine_similarity(self, wa, wb, topn=10):
        """cos(wa, wb) over the sum of wa's `topn` highest cosines (Leeuwenberg et al., 2016),
        as gensim."""
        sims = self.similar_by_word(wa, topn)
        if not sims:
            raise ValueError("no similar words to compare with: topn must be at least 1")
        return self.similarity(wa, wb) / sum(s for _, s in sims)

    def n_similarity(self, ws1, ws2):
        """Cosine similarity of the means of two sets of words (raw vectors, as gensim)."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("n_similarity needs two non-empty lists of words")
        m1 = np.mean([self.get_vector(w) for w in ws1], axis=0)
        m2 = np.mean([self.get_vector(w) for w in ws2], axis=0)
        return float(m1 @ m2 / (np.linalg.norm(m1) * np.linalg.norm(m2)))

    def get_mean_vector(self, keys, weights=None, pre_normalize=True, post_normalize=False,
                        ignore_missing=True):
        """The weighted mean of the vectors of `keys` (keys or vectors): sum(w v) / sum(|w|),
        the vectors unit length first if `pre_normalize`, the mean if `post_normalize`;
        missing keys are skipped if `ignore_missing`, else a KeyError."""
        if not len(keys):
            raise ValueError("cannot compute the mean of no vectors")
        weights = np.ones(len(keys)) if weights is None else np.asarray(weights, np.float64)
        if weights.shape != (len(keys),):
            raise ValueError(f"{len(keys)} keys but weights of shape {weights.shape}")
        used, kept = [], []
        for key, weight in zip(keys, weights):
            if not isinstance(key, KEY_TYPES):
                used.append(np.asarray(key, dtype=self.vectors.dtype))
            elif key in self:
                used.append(self.get_vector(key, norm=pre_normalize))
            elif not ignore_missing:
                self.get_index(key)
            else:
                continue
            kept.append(weight)
        if not used:
            return np.zeros(self.vector_size, self.vectors.dtype)
        mean = self._mean(used, kept)
        return mean / _row_norms(mean[None])[0] if post_normalize else mean

    def doesnt_match(self, words):
        """The word farthest from the mean of the unit vectors of `words`; words not in the
        vocabulary are left out, as gensim does."""
        used = [w for w in words if w in self]
        if not used:
            raise ValueError("doesnt_match needs at least one word in the vocabulary")
        unit = np.stack([self.get_vector(w, norm=True) for w in used])
        mean = unit.mean(axis=0)
        return used[int(np.argmin(unit @ mean))]

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

    def evaluate_word_pairs(self, pairs, delimiter="\t", encoding="utf8",
                            restrict_vocab=GENSIM_RESTRICT_VOCAB, case_insensitive=True,
                            dummy4unknown=False):
        """gensim's method, with its arguments, defaults and result: ((Pearson r, p),
        (Spearman rho, p), percentage of pairs with a word outside the vocabulary);
        `wordvec.evaluate` gives it as a `PairsResult`."""
        r = evaluate_word_pairs(self, pairs, restrict_vocab, case_insensitive, dummy4unknown,
                                delimiter, encoding)
        return (r.pearson, r.pearson_p), (r.spearman, r.spearman_p), 100 * r.oov_ratio

    # --- files ---

    @classmethod
    def load(cls, path, mmap=True, limit=None, **word2vec_options):
        """Vectors from a folder saved by `save` (memory-mapped unless `mmap` is false) or
        from a word2vec text or binary file (see `load_word2vec_format`); only the first
        `limit` words if given."""
        if is_fasttext_bin(path):
            return load_facebook_vectors(path, limit=limit)
        if not is_native(path):
            return cls.load_word2vec_format(path, limit=limit, **word2vec_options)
        words, arrays, config = load_native(path, mmap)
        counts = arrays.get("counts")
        kv = (FastTextKeyedVectors if "ngrams" in arrays else cls).from_vectors(
            words[:limit], arrays["vectors"][:limit],
            None if counts is None else counts[:limit], lazy=True)
        if "ngrams" in arrays:
            kv.with_ngrams(arrays["ngrams"], **config["ngrams"])
        return kv

    def save(self, folder, config=None):
        """Save to `folder` in the native format (see `wordvec.native`)."""
        arrays = {"vectors": self.vectors}
        if self.counts is not None:
            arrays["counts"] = self.counts
        save_native(folder, self.index_to_key, arrays | self._extra_arrays(),
                    (config or {}) | self._extra_config())

    def _extra_arrays(self):
        return {}

    def _extra_config(self):
        return {}

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=None, encoding="utf8",
                             unicode_errors="strict", limit=None, datatype=np.float32,
                             no_header=False):
        """Vectors written by word2vec.c, gensim or fastText, gensim's arguments (see
        `wordvec.formats.read_word2vec`); binary None tells it from the file. fvocab: a
        `word count` file (word2vec.c's -save-vocab) giving the counts."""
        words, vectors = read_word2vec(fname, binary, limit, unicode_errors, encoding,
                                       no_header)
        counts = None if fvocab is None else _counts_from(fvocab, words)
        return cls.from_vectors(words, vectors.astype(datatype, copy=False), counts)

    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None,
                             write_header=True, prefix="", append=False, sort_attr="count"):
        """Write word2vec's text or binary format, atomically (see `wordvec.formats`), the
        words ordered by `sort_attr` when the vectors have it (most first, ties in order);
        fvocab: also write their counts as `word count` lines. total_vec: the number of
        words the header announces (more rows are to follow)."""
        if append:
            raise ValueError("append=True is not supported: wordvec writes a file whole, then "
                             "renames it over the old one; gather the vectors into one "
                             "KeyedVectors with add_vectors and save that")
        order = np.arange(len(self))
        if sort_attr in self.attrs:
            order = np.argsort(-self.attrs[sort_attr], kind="stable")
        words = [prefix + str(self.index_to_key[i]) for i in order]
        header = (len(self) if total_vec is None else total_vec) if write_header else None
        if header is not None and header < len(self):
            raise ValueError(f"total_vec {total_vec} is fewer than the {len(self)} vectors")
        write_word2vec(fname, words, self.vectors[order], binary, header)
        if fvocab is not None:
            if self.counts is None:
                raise ValueError("fvocab= writes counts, and these vectors have none")
            from corpora import Vocab
            Vocab(words, self.counts[order]).save(fvocab)

    def intersect_word2vec_format(self, fname, lockf=0.0, binary=None, encoding="utf8",
                                  unicode_errors="strict"):
        """Take the vectors of a word2vec file for the words both have (no word is added),
        and give those words the lock factor `lockf`: `Word2Vec.train` scales their updates
        by it (0, the default, keeps them as loaded; 1 trains them as the others). Returns
        the number of words taken, as gensim logs it."""
        words, vectors = read_word2vec(fname, binary, None, unicode_errors, encoding)
        if vectors.shape[1] != self.vector_size:
            raise UserError(f"{fname} has vectors of {vectors.shape[1]} dimensions, these "
                            f"{self.vector_size}")
        index = self.key_to_index
        theirs = [i for i, w in enumerate(words) if w in index]
        mine = self._rows([words[i] for i in theirs])
        self._writable()[mine] = vectors[theirs]
        if self.vectors_lockf is None:
            self.vectors_lockf = np.ones(len(self), np.float32)
        self.vectors_lockf[mine] = lockf
        self._edited()
        return len(mine)

    def save_projector(self, folder):
        """Write the Embedding Projector's vectors.tsv and metadata.tsv into `folder`."""
        write_projector(folder, self.index_to_key, self.vectors)

    # --- helpers ---

    def _unit(self, key):
        if isinstance(key, KEY_TYPES):
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

    def _top(self, scores, topn, skip=(), offset=0):
        """(word, score) for the `topn` highest scores not at the rows in `skip`; row i is
        word offset + i."""
        topn = operator.index(topn)
        if topn < 1:
            return []
        topn = min(topn, len(scores))
        k = min(topn + len(skip), len(scores))
        best = np.argpartition(scores, len(scores) - k)[-k:] if k < len(scores) else np.arange(k)
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.index_to_key[offset + i], float(scores[i]))
                for i in best.tolist() if i not in skip][:topn]


class FastTextKeyedVectors(KeyedVectors):
    """Word vectors with fastText's n-gram table (gensim's class and names): a word outside
    the vocabulary gets the mean of the vectors of its character n-grams, so `word in kv`
    holds for any word with one, as in gensim. vectors_ngrams: (bucket, D); min_n, max_n:
    the n-gram lengths in characters."""

    def with_ngrams(self, vectors_ngrams, min_n, max_n):
        self.vectors_ngrams, self.min_n, self.max_n = vectors_ngrams, min_n, max_n
        return self

    @property
    def bucket(self):
        return len(self.vectors_ngrams)

    def __contains__(self, key):
        return self.has_index_for(key) or (isinstance(key, str) and len(self._ngram_rows(key)))

    def __getitem__(self, keys):
        if isinstance(keys, KEY_TYPES):
            return self.get_vector(keys)
        return np.stack([self.get_vector(k) for k in keys])

    def is_oov(self, key):
        """Whether the vector of `key` is built from its n-grams only."""
        return not self.has_index_for(key)

    def get_vector(self, key, norm=False):
        if self.has_index_for(key) or not isinstance(key, str):
            return super().get_vector(key, norm)
        rows = self._ngram_rows(key)
        if not len(rows):
            raise KeyError(f"word {quoted(key)} is not in the vocabulary and has no character "
                           f"n-grams of {self.min_n} to {self.max_n} characters")
        vector = self.vectors_ngrams[rows].mean(axis=0)
        return vector / _row_norms(vector[None])[0] if norm else vector

    def _ngram_rows(self, word):
        return bucket_ids([word], self.min_n, self.max_n, self.bucket)[1]

    def _extra_arrays(self):
        return {"ngrams": self.vectors_ngrams}

    def _extra_config(self):
        return {"ngrams": {"min_n": self.min_n, "max_n": self.max_n}}


def load_facebook_vectors(path, encoding="utf-8", limit=None):
    """The word vectors of a fastText `.bin` model (fastText's own, or one gensim saved with
    save_facebook_model) as FastTextKeyedVectors: each word the mean of its rows, as
    fastText's getWordVector, and unseen words from the n-gram rows (memory-mapped); the
    first `limit` words only, if given (n-grams are kept whole)."""
    words, counts, matrix, minn, maxn = read_fasttext_bin(path, encoding)
    V = len(words)
    kept = words[:limit]
    vectors = Subwords.of(kept, minn, maxn, len(matrix) - V).word_vectors(
        np.concatenate([matrix[:len(kept)], matrix[V:]]) if len(kept) < V else matrix)
    return FastTextKeyedVectors.from_vectors(kept, vectors, counts[:limit]).with_ngrams(
        matrix[V:], minn, maxn)


def _counts_from(fvocab, words):
    """The count of each of `words` in a `word count` file; a word it lacks is an error."""
    from corpora import Vocab

    vocab = Vocab.load(fvocab)
    ids = vocab.lookup(words)
    if (ids < 0).any():
        missing = words[int(np.argmax(ids < 0))]
        raise UserError(f"{fvocab} has no count for {missing!r}, which has a vector")
    return vocab.counts[ids]


def _as_list(items):
    if items is None:
        return []
    if isinstance(items, KEY_TYPES) or (isinstance(items, np.ndarray) and items.ndim == 1):
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
