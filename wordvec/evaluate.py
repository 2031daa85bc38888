"""Word-vector evaluation on the standard sets, with gensim's conventions so that figures
compare: word analogies (`questions-words.txt` format) and word-pair similarity (WordSim-353,
SimLex-999).

Both look only at the `restrict_vocab` most frequent words (30,000 by default, as word2vec.c's
compute-accuracy) and fold case: a question word matches the most frequent vocabulary word
that is equal to it in upper case. Questions and pairs with a word outside that vocabulary
are skipped and counted.
"""
import itertools
import sys
from dataclasses import dataclass, field

import numpy as np

from npnlp.errors import UserError
from wordvec.formats import is_number

RESTRICT_VOCAB = 30_000         # word2vec.c's compute-accuracy
GENSIM_RESTRICT_VOCAB = 300_000  # the default of gensim's methods, and of ours under their names
BLOCK = 512  # questions scored per matrix product: a (512, restrict_vocab) float32 block


@dataclass
class Section:
    """One section of an analogy file, with its questions as (a, b, c, expected) tuples."""

    name: str
    correct: list = field(default_factory=list)
    incorrect: list = field(default_factory=list)

    @property
    def accuracy(self):
        n = len(self.correct) + len(self.incorrect)
        return len(self.correct) / n if n else 0.0


@dataclass
class AnalogyResult:
    sections: list     # Section per `: name` block of the file
    oov: int           # questions with a word outside the vocabulary
    questions: int     # questions in the file

    @property
    def total(self):
        """All sections together, as gensim's 'Total accuracy'."""
        return _merged("Total accuracy", self.sections)

    @property
    def subtotals(self):
        """The semantic and the syntactic sections together, as word2vec.c's compute-accuracy
        reports them; none unless the file has both kinds. compute-accuracy counts the first
        5 sections as semantic; here a section is syntactic if its name starts with "gram",
        the same split for questions-words.txt."""
        syntactic = [s for s in self.sections if s.name.startswith("gram")]
        semantic = [s for s in self.sections if not s.name.startswith("gram")]
        if not (semantic and syntactic):
            return []
        return [_merged("Semantic accuracy", semantic), _merged("Syntactic accuracy", syntactic)]


def _merged(name, sections):
    return Section(name, [q for s in sections for q in s.correct],
                   [q for s in sections for q in s.incorrect])


@dataclass
class PairsResult:
    pearson: float
    spearman: float
    pairs: int         # pairs scored
    oov: int           # pairs with a word outside the vocabulary
    pearson_p: float = float("nan")    # two-sided p-values, as scipy.stats gives them
    spearman_p: float = float("nan")
    dummy4unknown: bool = False        # whether the oov pairs were scored (similarity 0)

    @property
    def oov_ratio(self):
        """The fraction of the file's pairs with a word outside the vocabulary."""
        return self.oov / (self.pairs if self.dummy4unknown else self.pairs + self.oov)


def evaluate_word_analogies(kv, path, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True,
                            cosmul=False, dummy4unknown=False):
    """Answer every question a : b :: c : ? of `path` with the word nearest to b - a + c
    (3CosAdd, or 3CosMul with `cosmul`) among the first `restrict_vocab` words, not a, b or c.
    A question with a word outside them is skipped, or with `dummy4unknown` (gensim's flag)
    counted as answered wrong.

    As gensim's `evaluate_word_analogies`: the answer is the first of the 5 best words whose
    folded form is not a, b or c, so figures agree question by question.
    """
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else str
    sections, oov, questions = [], 0, 0
    for name, lines in _analogy_sections(path):
        section = Section(name)
        sections.append(section)
        asked = [tuple(map(fold, line)) for line in lines]
        in_vocab = [all(w in ok_vocab for w in q) for q in asked]
        known = list(itertools.compress(asked, in_vocab))
        questions, oov = questions + len(asked), oov + len(asked) - len(known)
        answers = iter([a for start in range(0, len(known), BLOCK)
                        for a in _answers(kv, known[start:start + BLOCK], ok_vocab,
                                          restrict_vocab, cosmul, fold)])
        for question, answerable in zip(asked, in_vocab):   # in the file's order, as gensim
            if answerable:
                right = next(answers) == question[3]
            elif dummy4unknown:
                right = False
            else:
                continue
            (section.correct if right else section.incorrect).append(question)
    return AnalogyResult(sections, oov, questions)


def evaluate_word_pairs(kv, path, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True,
                        dummy4unknown=False, delimiter="\t", encoding="utf-8"):
    """Pearson and Spearman correlation of the cosine similarities of word pairs with human
    scores. `path`: tab-separated `word1 word2 score` lines (WordSim-353), or a file with a
    header naming its columns (SimLex-999: word1, word2, SimLex999); '#' lines are comments.
    A pair with a word outside the vocabulary is skipped, or with `dummy4unknown` (gensim's
    flag) given similarity 0 and scored."""
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    fold = str.upper if case_insensitive else str
    gold, model, oov = [], [], 0
    for a, b, score in _pairs(path, delimiter, encoding):
        a, b = fold(a), fold(b)
        if a not in ok_vocab or b not in ok_vocab:
            oov += 1
            if dummy4unknown:
                gold.append(score)
                model.append(0.0)
            continue
        gold.append(score)
        ia, ib = ok_vocab[a], ok_vocab[b]
        model.append(float(kv.vectors[ia] @ kv.vectors[ib] / (kv.norms[ia] * kv.norms[ib])))
    if len(gold) < 2:
        raise UserError(f"{path}: {len(gold) - dummy4unknown * oov} pairs with both words in "
                        f"the vocabulary; at least 2 are needed for a correlation")
    from scipy import stats  # here: importing it costs a second at every command's start

    (pearson, pearson_p), (spearman, spearman_p) = (stats.pearsonr(gold, model),
                                                    stats.spearmanr(gold, model))
    return PairsResult(float(pearson), float(spearman), len(gold), oov, float(pearson_p),
                       float(spearman_p), dummy4unknown)


def _ok_vocab(kv, restrict_vocab, case_insensitive):
    """word (upper-cased if folding) -> row, among the first `restrict_vocab` rows; the most
    frequent spelling wins."""
    keys = kv.index_to_key[:restrict_vocab]
    if not case_insensitive:
        return {k: i for i, k in enumerate(keys)}
    return {k.upper(): i for i, k in reversed(list(enumerate(keys)))}


def _answers(kv, questions, ok_vocab, restrict_vocab, cosmul, fold):
    """The answer to each question (a, b, c, _): the best-scoring word other than the
    question's a, b and c rows whose folded form is not a, b or c either (a spelling
    variant, with case folding), looking at most 5 words down, as gensim."""
    ids = np.array([[ok_vocab[w] for w in q] for q in questions]).reshape(-1, 4)
    unit = kv.vectors[ids[:, :3]] / kv.norms[ids[:, :3], None]          # (Q, 3, D)
    if cosmul:
        shifted = (1 + kv.cosines(unit.reshape(-1, kv.vector_size), 0,
                                  restrict_vocab).reshape(len(ids), 3, -1)) / 2
        scores = shifted[:, 1] * shifted[:, 2] / (shifted[:, 0] + 1e-6)
    else:
        scores = kv.cosines(unit[:, 1] + unit[:, 2] - unit[:, 0], 0, restrict_vocab)
    rows = np.arange(len(ids))
    scores[rows[:, None], ids[:, :3]] = -np.inf
    answers = [None] * len(ids)
    pending = rows
    for _ in range(5):   # rarely more than one pass: argmax, not a sort, per question
        best = scores[pending].argmax(axis=1)
        still = []
        for q, i in zip(pending.tolist(), best.tolist()):
            answers[q] = fold(kv.index_to_key[i])
            if answers[q] in questions[q][:3]:
                still.append(q)
                scores[q, i] = -np.inf
        pending = np.array(still, dtype=np.int64)
        if not still:
            break
    return answers


def _analogy_sections(path):
    """(section name, [(a, b, c, d), ...]) per `: name` block; lines that are not four words
    are skipped, as gensim does."""
    sections = []
    for n, line in enumerate(_lines(path), 1):
        if line.startswith(": "):
            sections.append((line[2:].strip(), []))
        elif line.strip():
            if not sections:
                raise UserError(f"{path}, line {n}: a question before any ': section' line "
                                f"(is this an analogy file like questions-words.txt?)")
            words = line.split()
            if len(words) == 4:
                sections[-1][1].append(words)
    if not any(questions for _, questions in sections):
        raise UserError(f"{path} holds no analogy questions ('a b c d' lines)")
    return sections


def _pairs(path, delimiter="\t", encoding="utf-8"):
    """(word1, word2, score) for each line of a word-similarity file."""
    columns, pairs = (0, 1, 2), []
    for n, line in enumerate(_lines(path, encoding), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r\n").split(delimiter)
        if not pairs and columns == (0, 1, 2) and len(fields) > 2 and not is_number(fields[2]):
            columns = _header_columns(fields, path)
            continue
        try:
            pairs.append((fields[columns[0]], fields[columns[1]], float(fields[columns[2]])))
        except (IndexError, ValueError):
            sep = "<TAB>" if delimiter == "\t" else delimiter
            raise UserError(f"{path}, line {n}: expected 'word1{sep}word2{sep}score', "
                            f"not {line.strip()[:60]!r}") from None
    return pairs


def _header_columns(header, path):
    names = [h.strip().lower() for h in header]
    score = next((names.index(s) for s in ("simlex999", "similarity", "score", "human (mean)")
                  if s in names), None)
    if score is None:
        raise UserError(f"{path}: the header {header} names no score column (SimLex999, "
                        f"similarity or score)")
    return 0, 1, score


def _lines(path, encoding="utf-8"):
    """The lines of `path`; '-' is standard input (word2vec.c's compute-accuracy reads its
    questions there)."""
    try:
        if str(path) == "-":
            return sys.stdin.buffer.read().decode(encoding).splitlines(keepends=True)
        with open(path, encoding=encoding) as f:
            return f.readlines()
    except UnicodeDecodeError:
        raise UserError(f"{path} is not a {encoding} text file") from None
