"""Tokenizing: the settings that turn text into tokens and sentences, applied to a corpus
streamed in chunks."""
import json
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import NamedTuple

from corpora.read import CHUNK_SIZE, ReadStats, is_stream, list_files, read_chunks
from npnlp.errors import UserError
from npnlp.progress import progress_bar

_NUMBER = r"\b\d+(?:[.,]\d+)*\b"
NUMBER = re.compile(_NUMBER)
WORDS = re.compile(rf"{_NUMBER}|\w+")
WORDS_AND_PUNCTUATION = re.compile(rf"{_NUMBER}|\w+|[^\w\s]")


class TokenChunk(NamedTuple):
    """The tokens of one chunk of text, and the positions in `tokens` where sentences end."""

    tokens: list
    ends: list


@dataclass(frozen=True)
class Tokenizer:
    """How text becomes tokens and sentences.

    By default a token is a run of Unicode word characters (`\\w+`: letters, digits, '_'),
    punctuation is dropped, and a number such as 42, 3.14 or 1,000 is one token.

    whitespace: split on whitespace only (`str.split`, the fast path): punctuation stays
        attached; what text8-style corpora (lowercase words and spaces) expect.
    lowercase: lowercase the text first.
    keep_punctuation: keep each punctuation character as a token of its own.
    drop_numbers: drop numbers (digit groups standing alone, joined by '.' or ',').
    sentence_per_line: every line is a sentence; otherwise each file is one stream of tokens. A
        sentence is what word2vec windows never cross.
    """

    whitespace: bool = False
    lowercase: bool = False
    keep_punctuation: bool = False
    drop_numbers: bool = False
    sentence_per_line: bool = False

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
        if self.lowercase:
            text = text.lower()
        if self.whitespace:
            return text.split()
        if self.drop_numbers:
            text = NUMBER.sub(" ", text)
        return (WORDS_AND_PUNCTUATION if self.keep_punctuation else WORDS).findall(text)

    def stream(self, chunks):
        """Tokenize one document arriving as text chunks, exactly as if it came whole.

        Yields a TokenChunk per text chunk; the last one also ends the document's final
        sentence. A chunk may end inside a token, so its trailing run of non-whitespace is
        carried over to the next chunk (tokens never contain whitespace, so splitting text
        at whitespace never changes them). Memory stays bounded by the chunk size (and the
        longest token) even for a document that is one huge line.
        """
        carry = ""
        for chunk in chunks:
            text = carry + chunk
            carry = "" if not text or text[-1].isspace() else text.rsplit(None, 1)[-1]
            yield self._sentences(text[:len(text) - len(carry)])
        tokens, ends = self._sentences(carry)
        yield TokenChunk(tokens, ends + [len(tokens)])

    def _sentences(self, text):
        if not self.sentence_per_line:
            return TokenChunk(self.tokenize(text), [])
        tokens, ends = [], []
        *complete, last = text.split("\n")
        for line in complete:
            tokens += self.tokenize(line)
            ends.append(len(tokens))
        tokens += self.tokenize(last)
        return TokenChunk(tokens, ends)


def iter_tokens(source, tokenizer, stats=None, progress=False, chunk_size=CHUNK_SIZE):
    """Yield the TokenChunks of every file of `source` in turn; each file ends a sentence.

    `stats` (a ReadStats) is filled in as the chunks are read; `progress` shows a bar on
    stderr. Raises UserError when the corpus has no token at all.
    """
    stats = ReadStats() if stats is None else stats
    files = list_files(source)
    total = None if any(map(is_stream, files)) else sum(Path(f).stat().st_size for f in files)
    n_tokens = 0
    with progress_bar(total, "B", progress) as bar:
        for path in files:
            for chunk in tokenizer.stream(read_chunks(path, stats, chunk_size)):
                bar.update(stats.bytes - bar.n)
                n_tokens += len(chunk.tokens)
                yield chunk
    if not n_tokens:
        raise UserError(f"no tokens in {source}" if stats.chars else f"{source} is empty")


def write_tokens(source, out, tokenizer=Tokenizer(), progress=False):
    """Write the tokens of `source` to the text stream `out` as word2vec.c and fastText read
    them: one sentence per line, tokens separated by single spaces. Returns the ReadStats."""
    stats = ReadStats()
    sep = ""  # written before the next token: nothing at the start of a line
    for tokens, ends in iter_tokens(source, tokenizer, stats, progress):
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
    return stats
