"""Tokenizing: the settings that turn text into tokens and sentences, applied to a corpus
streamed in chunks."""
import json
import re
from dataclasses import asdict, dataclass, fields
from typing import NamedTuple

from corpora.read import CHUNK_SIZE, ReadStats, list_files, read_chunks, total_size
from npnlp.errors import UserError
from npnlp.progress import progress_bar

_NUMBER = r"\b\d+(?:[.,]\d+)*\b"
NUMBER = re.compile(_NUMBER)
WORDS = re.compile(rf"{_NUMBER}|\w+")
WORDS_AND_PUNCTUATION = re.compile(rf"{_NUMBER}|\w+|[^\w\s]")
MAX_TOKEN = 1000  # characters; word2vec.c cuts words at 100 bytes
LONG_RUN = re.compile(rf"(?<!\S)\S{{{MAX_TOKEN + 1},}}")


class TokenChunk(NamedTuple):
    """The tokens of one chunk of text, and the positions in `tokens` where sentences end."""

    tokens: list
    ends: list


@dataclass(frozen=True)
class Tokenizer:
    """How text becomes tokens and sentences.

    By default a token is a run of Unicode word characters (`\\w+`: letters, digits, '_'),
    punctuation is dropped, and a number such as 42, 3.14 or 1,000 is one token. Whatever the
    settings, a run of more than MAX_TOKEN characters without whitespace is first cut into
    pieces of MAX_TOKEN characters (from its start), so that memory stays bounded on a text
    without whitespace.

    whitespace: split on whitespace only (`str.split`, the fast path): punctuation stays
        attached; what text8-style corpora (lowercase words and spaces) expect.
    lowercase: lowercase the text first.
    keep_punctuation: keep each punctuation character as a token of its own.
    drop_numbers: drop numbers (digit groups standing alone, joined by '.' or ',').
    sentence_per_line: every line is a sentence (as word2vec.c, fastText and gensim's
        LineSentence read text); otherwise each file is one stream of tokens. A sentence is
        what word2vec windows never cross.
    """

    whitespace: bool = False
    lowercase: bool = False
    keep_punctuation: bool = False
    drop_numbers: bool = False
    sentence_per_line: bool = True

    def __post_init__(self):
        for f in fields(self):
            if not isinstance(getattr(self, f.name), bool):
                raise TypeError(f"Tokenizer.{f.name} must be True or False")
        if self.whitespace and (self.keep_punctuation or self.drop_numbers):
            raise UserError("whitespace tokenizing keeps tokens as they are: it cannot also "
                            "keep punctuation apart or drop numbers")

    def key(self):
        """The settings as a stable string, for cache keys and for saving beside a model."""
        return json.dumps(asdict(self), sort_keys=True)

    def tokenize(self, text):
        """The tokens of `text`, a list of str."""
        return self._tokenize(_cut_long_runs(text)[0])

    def _tokenize(self, text):
        return self._split(self._normalise(text))

    def _normalise(self, text):
        if self.lowercase:
            text = text.lower()
        if self.drop_numbers:
            text = NUMBER.sub(" ", text)
        return text

    @property
    def _split(self):
        """The function from normalised text to its tokens."""
        if self.whitespace:
            return str.split
        return (WORDS_AND_PUNCTUATION if self.keep_punctuation else WORDS).findall

    def stream(self, chunks, stats=None):
        """Tokenize one document arriving as text chunks, exactly as if it came whole.

        Yields a TokenChunk per text chunk; the last one also ends the document's final
        sentence. A chunk may end inside a token, so its trailing run of non-whitespace is
        carried over to the next chunk (tokens never contain whitespace, so splitting text
        at whitespace never changes them). The carry is at most MAX_TOKEN characters, as a
        longer run is cut anyway: memory stays bounded by the chunk size even for a document
        that is one huge line, or has no whitespace at all. `stats` (a ReadStats), if given,
        counts the cuts.
        """
        carry = ""
        for chunk in chunks:
            text = carry + chunk
            carry = "" if not text or text[-1].isspace() else text.rsplit(None, 1)[-1]
            keep = (len(carry) - 1) % MAX_TOKEN + 1 if carry else 0  # past its last cut
            text, cuts = _cut_long_runs(text[:len(text) - keep])
            if keep < len(carry):  # the run goes on past a cut
                cuts += 1
            carry = carry[len(carry) - keep:]
            if stats is not None:
                stats.cuts += cuts
            yield self._sentences(text)
        tokens, ends = self._sentences(carry)
        yield TokenChunk(tokens, ends + [len(tokens)])

    def _sentences(self, text):
        if not self.sentence_per_line:
            return TokenChunk(self._tokenize(text), [])
        split, tokens, ends = self._split, [], []
        for line in self._normalise(text).split("\n"):
            tokens += split(line)
            ends.append(len(tokens))
        ends.pop()   # the last line goes on in the next chunk
        return TokenChunk(tokens, ends)


def _cut_long_runs(text):
    """`text` with every run of more than MAX_TOKEN characters without whitespace cut into
    pieces of MAX_TOKEN characters, counted from its start and set apart by spaces; and the
    number of cuts made."""
    if not _has_long_run(text):
        return text, 0
    cuts = 0

    def cut(run):
        nonlocal cuts
        pieces = [run[0][i:i + MAX_TOKEN] for i in range(0, len(run[0]), MAX_TOKEN)]
        cuts += len(pieces) - 1
        return " ".join(pieces)

    return LONG_RUN.sub(cut, text), cuts


def _has_long_run(text):
    """Whether `text` has a run of more than MAX_TOKEN characters without whitespace: a
    quick test, a stride of about MAX_TOKEN characters at a time, that spares ordinary text
    the slower regular expression."""
    start = 0
    while len(text) - start > MAX_TOKEN:
        end = start + MAX_TOKEN + 1
        space = text.rfind(" ", start, end)
        if space < 0:  # no plain space: any whitespace will do
            window = text[start:end]
            last_run = "" if window[-1].isspace() else window.rsplit(None, 1)[-1]
            if len(last_run) == len(window):
                return True
            space = end - len(last_run) - 1
        start = space + 1
    return False


def check_tokenizer(tokenizer):
    """Raise TypeError unless `tokenizer` is a Tokenizer (not, say, the string "whitespace")."""
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"tokenizer must be a Tokenizer, not {type(tokenizer).__name__}")


def iter_tokens(source, tokenizer, stats=None, progress=False, chunk_size=CHUNK_SIZE):
    """An iterator over the TokenChunks of every file of `source` in turn; each file ends a
    sentence.

    `stats` (a ReadStats) is filled in as the chunks are read; `progress` shows a bar on
    stderr. The arguments are checked and the files listed at the call; UserError comes,
    as it reads, when the corpus has no token at all.
    """
    check_tokenizer(tokenizer)
    files = list_files(source)
    stats = ReadStats() if stats is None else stats
    return _iter_tokens(source, files, tokenizer, stats, progress, chunk_size)


def _iter_tokens(source, files, tokenizer, stats, progress, chunk_size):
    n_tokens = 0
    with progress_bar(total_size(files), "B", progress) as bar:
        for path in files:
            for chunk in tokenizer.stream(read_chunks(path, stats, chunk_size), stats):
                bar.update(stats.bytes - bar.n)
                n_tokens += len(chunk.tokens)
                yield chunk
    if not n_tokens:
        raise UserError(f"no tokens in {source}" if stats.chars else f"{source} is empty")


def write_tokens(source, out, tokenizer=Tokenizer(), progress=False):
    """Write the tokens of `source` to the text stream `out` as word2vec.c and fastText read
    them: one sentence per line, tokens separated by single spaces. Returns the ReadStats."""
    stats = ReadStats()
    write_chunks(iter_tokens(source, tokenizer, stats, progress), out)
    return stats


def write_chunks(token_chunks, out):
    """Write TokenChunks to the text stream `out` a sentence a line, as `write_tokens`;
    returns the number of tokens."""
    sep, n = "", 0  # sep: written before the next token, nothing at the start of a line
    for tokens, ends in token_chunks:
        n += len(tokens)
        start = 0
        for end in ends + [None]:
            sentence = tokens[start:end]
            if sentence:
                out.write(sep + " ".join(sentence))
                sep = " "
            if end is not None and sep:
                out.write("\n")
                sep = ""
            start = end
    return n
