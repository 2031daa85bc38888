"""Phrases: collocations such as "new york", learned from counts and joined into one token
("new_york"), as word2vec.c's word2phrase and gensim's `Phrases` do, on integer ids.

A candidate is two words that follow each other in a sentence, with the connector words
between them if any ("bank of america" with connectors {"of"}; connector words start and end
no phrase and are not counted as words). Its score, from the counts of the words a, b and of
the candidate ab, over N the words of the corpus:

    default      (count(ab) - min_count) / (count(a) count(b)) x len_vocab   (gensim's;
                 len_vocab: the distinct words and candidates counted)
    word2phrase  (count(ab) - min_count) / count(a) / count(b) x N, in float32, with a, b
                 and ab each seen min_count times (word2vec.c's word2phrase)
    npmi         ln(p(ab) / (p(a) p(b))) / -ln p(ab), in [-1, 1], ab seen min_count times
                 (gensim's npmi)

A candidate scoring above the threshold is a phrase. Applying them reads each sentence from
left to right and joins a phrase where it starts, so that in "a b c" with phrases ab and bc
only "a_b c" is joined, as gensim and word2phrase do. A second pass, learned on the joined
text, makes phrases of three or more words ("new_york times").

Counting is np.unique over the candidates' ids, a block of the corpus at a time; when the
words and candidates counted pass `max_vocab_size`, those seen fewer than a rising floor
are dropped, as gensim and word2phrase prune (so a candidate whose counts were pruned early
may be counted short: only a corpus with more distinct candidates than the limit loses any).
"""
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field

import numpy as np

from corpora.corpus import Corpus, corpus_of_sentences, sentence_blocks
from npnlp.errors import UserError
from npnlp.files import atomic_write

SCORERS = ("default", "word2phrase", "npmi")
THRESHOLDS = {"default": 10.0, "word2phrase": 100.0, "npmi": 0.5}   # the CLI's defaults
ENGLISH_CONNECTOR_WORDS = frozenset(
    "a an the for of with without at from to in on by and or".split())   # gensim's
BLOCK_TOKENS = 1 << 20      # tokens counted at once: their arrays stay under 60 MB
FORMAT = "npnlp phrases 1"


@dataclass(frozen=True)
class PhraseSettings:
    """How phrases are learned, saved with them."""

    min_count: int = 5
    threshold: float = 10.0
    scoring: str = "default"
    delimiter: str = "_"
    connector_words: frozenset = frozenset()
    max_vocab_size: int = 40_000_000

    def __post_init__(self):
        if self.scoring not in SCORERS:
            raise UserError(f"scoring must be one of {', '.join(SCORERS)}, not "
                            f"{self.scoring!r}")
        if not (isinstance(self.min_count, int) and self.min_count >= 1):
            raise UserError(f"min_count must be a whole number of at least 1, not "
                            f"{self.min_count!r}")
        if self.scoring == "npmi" and not -1 <= self.threshold < 1:
            raise UserError(f"npmi scores lie in [-1, 1]: a threshold of {self.threshold:g} "
                            f"keeps no phrase")
        if not self.delimiter or any(c.isspace() for c in self.delimiter):
            raise UserError(f"the delimiter must be non-empty and hold no whitespace, not "
                            f"{self.delimiter!r}")
        object.__setattr__(self, "connector_words", frozenset(self.connector_words))


@dataclass
class PhraseTable:
    """The phrases of one pass: each a tuple of tokens (connector words included), its count
    and score."""

    words: list = field(default_factory=list)
    counts: list = field(default_factory=list)
    scores: list = field(default_factory=list)
    best: float = -math.inf    # the highest score of any candidate (when learned)


class Phrases:
    """Phrases learned from `sentences` (token lists) or a Corpus, under gensim's names;
    `phrases[sentence]` joins them in a list of tokens, `phrases[sentences]` in each.
    passes: 2 learns again on the joined text, for phrases of three or more words.
    Learned once: `freeze()` returns the model itself."""

    def __init__(self, sentences=None, min_count=5, threshold=10.0, max_vocab_size=40_000_000,
                 delimiter="_", scoring="default", connector_words=frozenset(), passes=1):
        self.settings = PhraseSettings(min_count, threshold, scoring, delimiter,
                                       connector_words, max_vocab_size)
        self.passes = []
        if sentences is not None:
            corpus = sentences if isinstance(sentences, Corpus) else \
                corpus_of_sentences(sentences)
            for _ in range(passes):
                table = learn(corpus, self.settings)
                self.passes.append(table)
                if len(self.passes) < passes:
                    corpus = apply(corpus, table, self.settings)

    min_count = property(lambda self: self.settings.min_count)
    threshold = property(lambda self: self.settings.threshold)
    delimiter = property(lambda self: self.settings.delimiter)
    connector_words = property(lambda self: self.settings.connector_words)

    @property
    def phrasegrams(self):
        """{joined phrase: score} of every pass, as gensim's FrozenPhrases."""
        join = self.delimiter.join
        return {join(w): s for table in self.passes for w, s in zip(table.words, table.scores)}

    def __len__(self):
        return sum(len(table.words) for table in self.passes)

    def __repr__(self):
        return (f"Phrases({len(self)} phrases, {len(self.passes)} pass"
                f"{'es' * (len(self.passes) != 1)}, {self.settings.scoring} > "
                f"{self.threshold:g})")

    def freeze(self):
        return self

    def apply(self, corpus):
        """`corpus` (a Corpus) with the phrases of every pass joined."""
        for table in self.passes:
            corpus = apply(corpus, table, self.settings)
        return corpus

    def __getitem__(self, sentences):
        """The tokens of a sentence with phrases joined, or, given an iterable of sentences,
        a generator of them (a block of sentences at a time)."""
        if isinstance(sentences, list) and (not sentences or isinstance(sentences[0], str)):
            return self._joined([sentences])[0]
        return self._each(sentences)

    def _each(self, sentences, block=10_000):
        batch = []
        for sentence in sentences:
            batch.append(sentence)
            if len(batch) == block:
                yield from self._joined(batch)
                batch = []
        if batch:
            yield from self._joined(batch)

    def _joined(self, sentences):
        kept = [i for i, s in enumerate(sentences) if len(s)]   # empty sentences stay empty
        corpus = self.apply(corpus_of_sentences(sentences[i] for i in kept))
        out = [[] for _ in sentences]
        for i, start, end in zip(kept, corpus.offsets[:-1], corpus.offsets[1:]):
            out[i] = [corpus.types[t] for t in corpus.type_ids[start:end]]
        return out

    def key(self):
        """A digest of the settings and phrases: what a model trained on them records."""
        text = json.dumps([asdict(self.settings) | {"connector_words": sorted(
            self.connector_words)}, [asdict(t) | {"best": None} for t in self.passes]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def save(self, path):
        """Write the phrases as text, atomically: a settings line, then a line per phrase:
        pass, its tokens separated by spaces, count, score, tab-separated."""
        settings = asdict(self.settings)
        settings["connector_words"] = sorted(self.connector_words)
        with atomic_write(path) as f:
            f.write(f"# {FORMAT} {json.dumps(settings, ensure_ascii=False)}\n")
            for n, table in enumerate(self.passes, 1):
                f.writelines(f"{n}\t{' '.join(w)}\t{c}\t{s!r}\n"
                             for w, c, s in zip(table.words, table.counts, table.scores))

    @classmethod
    def load(cls, path):
        """Phrases written by `save`."""
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except UnicodeDecodeError:
            raise UserError(f"{path} is not a phrases file (not UTF-8 text)") from None
        if not lines or not lines[0].startswith(f"# {FORMAT} "):
            raise UserError(f"{path} is not a phrases file: `corpora phrases` writes them")
        try:
            phrases = cls(**json.loads(lines[0][len(FORMAT) + 3:]))
        except (ValueError, TypeError) as e:
            raise UserError(f"{path}, line 1: settings that cannot be read ({e})") from None
        for n, line in enumerate(lines[1:], 2):
            try:
                number, words, count, score = line.split("\t")
                number, count, score = int(number), int(count), float(score)
            except ValueError:
                raise UserError(f"{path}, line {n}: expected 'pass<TAB>words<TAB>count<TAB>"
                                f"score', not {line[:60]!r}") from None
            if not 1 <= number <= len(phrases.passes) + 1:
                raise UserError(f"{path}, line {n}: pass {number} after pass "
                                f"{len(phrases.passes)}")
            if number > len(phrases.passes):
                phrases.passes.append(PhraseTable())
            table = phrases.passes[number - 1]
            table.words.append(tuple(words.split(" ")))
            table.counts.append(count)
            table.scores.append(score)
        return phrases


def learn(corpus, settings):
    """The PhraseTable of the candidates of `corpus` scoring above the threshold."""
    unigrams, tables = count_candidates(corpus, settings)
    return phrase_table(corpus.types, unigrams, tables, len(corpus.type_ids), settings)


def count_candidates(corpus, settings):
    """(unigram counts (T,), {gap: (distinct candidate rows (n, gap + 2), counts (n,))}) of
    `corpus`, connector words not counted as words: what phrases are learned from."""
    connector = _connector_mask(corpus.types, settings.connector_words)
    return _count(corpus, connector, settings.max_vocab_size)


def phrase_table(types, unigrams, tables, n_words, settings):
    """The PhraseTable of the candidates counted in `tables` scoring above the threshold,
    best first: `unigrams` and the rows are ids into `types`, `n_words` the corpus's tokens.
    The order of `types` does not matter."""
    len_vocab = int(np.count_nonzero(unigrams)) + sum(len(c) for _, c in tables.values())
    table = PhraseTable()
    for gap in sorted(tables):
        rows, cab = tables[gap]
        scores = _scores(unigrams[rows[:, 0]], unigrams[rows[:, -1]], cab, len_vocab,
                         n_words, settings)
        table.best = max(table.best, float(scores.max(initial=-math.inf)))
        for i in np.flatnonzero(scores > settings.threshold).tolist():
            table.words.append(tuple(types[t] for t in rows[i].tolist()))
            table.counts.append(int(cab[i]))
            table.scores.append(float(scores[i]))
    order = sorted(range(len(table.words)), key=lambda i: (-table.scores[i], table.words[i]))
    for name in ("words", "counts", "scores"):
        setattr(table, name, [getattr(table, name)[i] for i in order])
    return table


def apply(corpus, table, settings):
    """`corpus` with the phrases of `table` joined into tokens of their own: a new Corpus,
    its types in the order first seen (as reading the joined text gives them)."""
    ids, offsets, T = corpus.type_ids, corpus.offsets, len(corpus.types)
    starts, gaps = _candidates(ids, offsets, _connector_mask(corpus.types,
                                                             settings.connector_words))
    phrase = _find(corpus.types, ids, starts, gaps, table.words)
    taken = np.flatnonzero(_leftmost(phrase >= 0))
    new_ids = np.array(ids, dtype=np.int64)
    new_ids[starts[taken]] = T + phrase[taken]
    dropped = np.bincount(starts[taken] + 1, minlength=len(ids) + 1) - \
        np.bincount(starts[taken] + gaps[taken] + 2, minlength=len(ids) + 1)
    keep = np.cumsum(dropped[:-1]) == 0
    new_ids = new_ids[keep]
    # one id per distinct string (a joined phrase may already be a token), first seen first
    types = corpus.types + [settings.delimiter.join(w) for w in table.words]
    same = {}
    canonical = np.array([same.setdefault(t, i) for i, t in enumerate(types)], np.int64)
    new_ids = canonical[new_ids]
    used, first = np.unique(new_ids, return_index=True)
    order = used[np.argsort(first, kind="stable")]
    remap = np.full(len(types), -1, np.int64)
    remap[order] = np.arange(len(order))
    type_ids = remap[new_ids].astype(np.int32)
    return Corpus([types[t] for t in order.tolist()],
                  np.bincount(type_ids, minlength=len(order)).astype(np.int64), type_ids,
                  offsets - np.searchsorted(np.flatnonzero(~keep), offsets), corpus.stats)


def _find(types, ids, starts, gaps, phrases):
    """For each candidate, the index in `phrases` (token tuples) of the phrase it is, or
    -1."""
    index = {t: i for i, t in enumerate(types)}
    found = np.full(len(starts), -1, np.int64)
    by_length = {}
    for n, words in enumerate(phrases):
        if all(t in index for t in words):
            by_length.setdefault(len(words), []).append(n)
    for length, numbers in by_length.items():
        where = np.flatnonzero(gaps == length - 2)
        if not len(where):
            continue
        known = np.array([[index[t] for t in phrases[n]] for n in numbers], np.int64)
        keys = _keys(ids, starts[where], length, len(types), before=known)
        known_keys, keys = keys[:len(known)], keys[len(known):]
        order = np.argsort(known_keys)
        at = np.minimum(np.searchsorted(known_keys[order], keys), len(known) - 1)
        hit = known_keys[order][at] == keys
        found[where[hit]] = np.asarray(numbers)[order[at[hit]]]
    return found


def _connector_mask(types, connector_words):
    return np.fromiter((t in connector_words for t in types), bool, len(types))


def _candidates(ids, offsets, connector):
    """(start, gap) per pair of consecutive non-connector tokens: start the position of the
    first, gap the connector tokens between them, -1 where the pair crosses a sentence end."""
    positions = np.flatnonzero(~connector[ids])
    gaps = np.diff(positions) - 1
    ends = np.searchsorted(positions, offsets[1:-1])   # the first position of a sentence
    gaps[ends[(ends > 0) & (ends < len(positions))] - 1] = -1
    return positions[:-1], gaps


def _keys(ids, starts, length, T, before=None):
    """An int64 key per sequence ids[s:s + length], s in `starts` (after one per row of
    `before`, (m, length) ids), equal exactly for equal sequences: the sequence read as a
    number in base T when T^length fits in 63 bits, else the columns folded in one at a
    time, each partial key made dense by np.unique so that none overflows. A column at a
    time: no (n, length) array of positions."""
    def column(c):
        values = ids[starts + c]
        return values if before is None else np.r_[before[:, c], values]

    dense = T ** length >= 2 ** 63
    key = column(0).astype(np.int64)
    for c in range(1, length):
        key *= T
        key += column(c)
        if dense:
            key = np.unique(key, return_inverse=True)[1].ravel()
    return key


def _distinct(ids, starts, length, T, weights=None):
    """(the distinct sequences ids[s:s + length] for s in `starts`, as (n, length) rows, and
    how often each occurs, or the sum of its `weights`)."""
    if T ** length >= 2 ** 63:
        rows = ids[starts[:, None] + np.arange(length)]
        rows, inverse = np.unique(rows, axis=0, return_inverse=True)
        return rows.astype(np.int64), np.bincount(inverse.ravel(), weights,
                                                  len(rows)).astype(np.int64)
    keys = _keys(ids, starts, length, T)
    if weights is None:
        keys = np.sort(keys)
    else:
        order = np.argsort(keys, kind="stable")
        keys, weights = keys[order], weights[order]
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    counts = np.diff(np.r_[first, len(keys)]) if weights is None else \
        np.add.reduceat(weights, first)
    keys, rows = keys[first], np.empty((len(first), length), np.int64)
    for c in range(length - 1, -1, -1):
        keys, rows[:, c] = np.divmod(keys, T)
    return rows, counts.astype(np.int64)


def _count(corpus, connector, max_vocab_size):
    """(unigram counts (T,), {gap: (distinct candidate rows (n, gap + 2), counts (n,))}).

    A block of sentences at a time; each block's distinct candidates wait until they
    outnumber those counted so far, then all are merged at once (so merging costs
    O(N log N) over the corpus, not a pass over the table per block), and entries past
    `max_vocab_size` are pruned."""
    ids, offsets, T = corpus.type_ids, corpus.offsets, len(corpus.types)
    unigrams = np.zeros(T, np.int64)
    tables, waiting, min_reduce = {}, {}, 1
    blocks = sentence_blocks(offsets, BLOCK_TOKENS)
    for n, (first, last) in enumerate(blocks, 1):
        lo, hi = int(offsets[first]), int(offsets[last])
        block = np.asarray(ids[lo:hi])
        unigrams += np.bincount(block[~connector[block]], minlength=T)
        starts, gaps = _candidates(block, offsets[first:last + 1] - lo, connector)
        for gap in np.unique(gaps[gaps >= 0]).tolist():
            waiting.setdefault(gap, []).append(_distinct(block, starts[gaps == gap], gap + 2, T))
        if n < len(blocks) and _size(waiting) < max(BLOCK_TOKENS, _size(tables)):
            continue
        tables, waiting = _merged(tables, waiting, T), {}
        unigrams, tables, min_reduce = pruned(unigrams, tables, max_vocab_size, min_reduce)
    return unigrams, tables


def pruned(unigrams, tables, max_vocab_size, min_reduce=1):
    """(unigrams, tables, the next floor): while the words and candidates counted pass
    `max_vocab_size`, those seen fewer than a rising floor (from `min_reduce`) dropped."""
    while np.count_nonzero(unigrams) + _size(tables) > max_vocab_size:
        unigrams = np.where(unigrams < min_reduce, 0, unigrams)
        tables = {g: (r[c >= min_reduce], c[c >= min_reduce]) for g, (r, c) in
                  tables.items()}
        min_reduce += 1
    return unigrams, tables, min_reduce


def merged_candidates(a, b, remap, T):
    """The candidate tables a and b added, b's rows first mapped through `remap` into a's
    ids (T of them, or more)."""
    return _merged(a, {gap: [(remap[rows], counts)] for gap, (rows, counts) in b.items()}, T)


def _size(tables):
    """The entries of {gap: (rows, counts)} or {gap: [(rows, counts), ...]}."""
    return sum(len(c) for parts in tables.values()
               for _, c in (parts if isinstance(parts, list) else [parts]))


def _merged(tables, waiting, T):
    """The tables with the waiting counts of each gap added in."""
    merged = dict(tables)
    for gap, parts in waiting.items():
        parts = ([tables[gap]] if gap in tables else []) + parts
        k, rows = gap + 2, np.concatenate([r for r, _ in parts])
        merged[gap] = _distinct(rows.ravel(), np.arange(len(rows)) * k, k, T,
                                np.concatenate([c for _, c in parts])) \
            if len(parts) > 1 else parts[0]
    return merged


def _scores(ca, cb, cab, len_vocab, n_words, settings):
    """The score of each candidate (see the module's docstring); -inf where it cannot be a
    phrase."""
    mc = settings.min_count
    with np.errstate(divide="ignore", invalid="ignore"):
        if settings.scoring == "default":
            scores = (cab - mc) / (ca * cb).astype(np.float64) * len_vocab
            ok = (ca > 0) & (cb > 0)
        elif settings.scoring == "word2phrase":
            f = np.float32
            scores = (cab - mc).astype(f) / ca.astype(f) / cb.astype(f) * f(n_words)
            ok = (ca >= mc) & (cb >= mc) & (cab >= mc)
        else:
            n = float(n_words)
            pab = cab / n
            scores = np.log(pab / ((ca / n) * (cb / n))) / -np.log(pab)
            ok = (cab >= mc) & (ca > 0) & (cb > 0)
    return np.where(ok, scores, -math.inf)


def _leftmost(is_phrase):
    """Which candidates are joined, reading left to right: in a run of consecutive phrases
    (each sharing a word with the next) the first, third, fifth..."""
    run_start = np.flatnonzero(is_phrase & ~np.r_[False, is_phrase[:-1]])
    starts = np.zeros(len(is_phrase), np.int64)
    starts[run_start] = run_start
    starts = np.maximum.accumulate(starts)
    return is_phrase & ((np.arange(len(is_phrase)) - starts) % 2 == 0)
