"""Tokenizing: the settings, and chunked streams that tokenize exactly like whole texts."""
import io
import tracemalloc
from dataclasses import fields

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from corpora.cli import main
from corpora.corpus import load_corpus
from corpora.read import ReadStats, list_files, read_chunks, read_text
from corpora.tokenize import MAX_TOKEN, Tokenizer, iter_tokens, write_tokens
from npnlp.errors import UserError

TEXT = "Hello, world! It's 3.14 and 1,000 cats_2.\n"

# Characters that stress the tokenizer: word and non-word, digits of several scripts,
# separators, Unicode whitespace, and letters whose lowercase depends on context (Σ) or
# is longer than the letter (İ).
TEXTS = st.text(alphabet="ab Zé.,'!-_4٣ \t\n\u00a0\u2028\x1cΣσİß東", max_size=80)
TOKENIZERS = st.one_of(
    st.builds(Tokenizer, whitespace=st.just(True), lowercase=st.booleans(),
              sentence_per_line=st.booleans()),
    st.builds(Tokenizer, lowercase=st.booleans(), keep_punctuation=st.booleans(),
              drop_numbers=st.booleans(), sentence_per_line=st.booleans()),
)


@pytest.mark.parametrize("tokenizer, tokens", [
    (Tokenizer(), ["Hello", "world", "It", "s", "3.14", "and", "1,000", "cats_2"]),
    (Tokenizer(keep_punctuation=True),
     ["Hello", ",", "world", "!", "It", "'", "s", "3.14", "and", "1,000", "cats_2", "."]),
    (Tokenizer(drop_numbers=True), ["Hello", "world", "It", "s", "and", "cats_2"]),
    (Tokenizer(lowercase=True, whitespace=True),
     ["hello,", "world!", "it's", "3.14", "and", "1,000", "cats_2."]),
])
def test_settings(tokenizer, tokens):
    assert tokenizer.tokenize(TEXT) == tokens


def test_word_characters_are_unicode():
    text = "Straße, ÉCOLE naïve; 東京 μῆνιν ٣٤"
    assert Tokenizer(lowercase=True).tokenize(text) == [
        "straße", "école", "naïve", "東京", "μῆνιν", "٣٤"]


def test_invalid_settings_are_refused():
    with pytest.raises(UserError, match="whitespace"):
        Tokenizer(whitespace=True, keep_punctuation=True)
    with pytest.raises(TypeError):
        Tokenizer(lowercase="yes")


def test_key_names_every_setting_in_a_fixed_text():
    """The key names cache entries and is saved beside models: the same settings must give
    the same text in every process and release, so it is pinned here, byte for byte."""
    assert Tokenizer(lowercase=True).key() == (
        '{"drop_numbers": false, "keep_punctuation": false, "lowercase": true, '
        '"sentence_per_line": true, "whitespace": false}')
    variants = [Tokenizer(), *(Tokenizer(**{f.name: not f.default}) for f in fields(Tokenizer))]
    assert len({t.key() for t in variants}) == len(variants)  # every setting changes it


def flatten(token_chunks):
    """All tokens, and the sentence ends as positions in that flat list."""
    tokens, ends = [], []
    for chunk_tokens, chunk_ends in token_chunks:
        ends += [len(tokens) + end for end in chunk_ends]
        tokens += chunk_tokens
    return tokens, ends


@given(TOKENIZERS, TEXTS, st.lists(st.integers(0, 80)))
def test_stream_of_chunks_tokenizes_like_the_whole_text(tokenizer, text, cuts):
    bounds = [0, *sorted(cuts), len(text)]
    chunks = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    sentences = text.split("\n") if tokenizer.sentence_per_line else [text]
    lengths = [len(tokenizer.tokenize(sentence)) for sentence in sentences]
    assert flatten(tokenizer.stream(chunks)) == (
        tokenizer.tokenize(text), [sum(lengths[:i + 1]) for i in range(len(lengths))])


@given(st.lists(st.sampled_from(["to be", " ", "\r\n", "\n", "é", "\r", "or not"]), min_size=1)
       .map("".join), st.integers(1, 12))
def test_file_read_in_any_chunk_size_gives_the_same_tokens(tmp_path_factory, text, chunk_size):
    path = tmp_path_factory.getbasetemp() / "tokens.txt"
    path.write_bytes(text.encode())
    tokenizer = Tokenizer(sentence_per_line=True)
    if not tokenizer.tokenize(text):
        return
    assert flatten(iter_tokens(path, tokenizer, chunk_size=chunk_size)) == flatten(
        iter_tokens(path, tokenizer))


def test_empty_corpus_is_a_user_error(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    with pytest.raises(UserError, match="empty.txt is empty"):
        list(iter_tokens(tmp_path / "empty.txt", Tokenizer()))
    (tmp_path / "punctuation.txt").write_text("... !!!\n")
    with pytest.raises(UserError, match="no tokens in"):
        list(iter_tokens(tmp_path / "punctuation.txt", Tokenizer()))


@pytest.mark.parametrize("lines, expected", [
    (True, "First line\nthird line\nsecond file\n"),
    (False, "First line third line\nsecond file\n"),
])
def test_write_tokens_one_sentence_per_line(tmp_path, lines, expected):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "1.txt").write_text("First line.\n\n  third line!")
    (corpus / "2.txt").write_text("second file")
    out = io.StringIO()
    write_tokens(corpus, out, Tokenizer(sentence_per_line=lines))
    assert out.getvalue() == expected


LONG_PIECES = st.sampled_from(["x" * 600, "y" * 999, "z", " ", "\n", "a,b", "İ"])


@given(TOKENIZERS, st.lists(LONG_PIECES, max_size=12).map("".join),
       st.lists(st.integers(0, 8000)))
def test_long_runs_are_cut_alike_whatever_the_chunks(tokenizer, text, cuts):
    bounds = [0, *sorted(cuts), len(text)]
    chunks = [text[a:b] for a, b in zip(bounds, bounds[1:])]
    stats = ReadStats()
    tokens, _ = flatten(tokenizer.stream(chunks, stats))
    assert tokens == tokenizer.tokenize(text)
    assert stats.cuts == sum((len(run) - 1) // MAX_TOKEN for run in text.split())
    pieces = Tokenizer(whitespace=True).tokenize(text)
    assert max(map(len, pieces), default=0) <= MAX_TOKEN
    assert "".join(pieces) == "".join(text.split())


def test_text_without_whitespace_streams_in_bounded_memory():
    chunk = "abcdefghijklmnopqrstuvwxyz" * 40_000  # about 1 MB
    tracemalloc.start()
    n_tokens = sum(len(tokens) for tokens, _ in Tokenizer(whitespace=True).stream([chunk] * 20))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert n_tokens == 20 * len(chunk) // MAX_TOKEN
    assert peak < 5 * len(chunk) * 4  # a few chunks of UCS-1 text and their pieces; not 20


def test_cli_warns_about_cut_runs(tmp_path):
    (tmp_path / "one-run.txt").write_text("x" * 2500 + " short")
    result = CliRunner().invoke(main, ["stats", str(tmp_path / "one-run.txt"), "--top", "0",
                                       "--whitespace"])
    assert result.exit_code == 0, result.output
    assert "tokens 4 types 3" in " ".join(result.stdout.split())
    assert result.stderr == (f"Warning: runs of more than 1,000 characters without whitespace "
                             f"in {tmp_path / 'one-run.txt'} were cut 2 times\n")


@pytest.mark.parametrize("call, message", [
    (lambda f: load_corpus(123), "source must be a path"),
    (lambda f: load_corpus(f, tokenizer="whitespace"), "tokenizer must be a Tokenizer, not str"),
    (lambda f: load_corpus(f, "whitespace", cache=False), "tokenizer must be a Tokenizer"),
    (lambda f: list_files(None), "source must be a path .*, not NoneType"),
    (lambda f: read_text(42), "source must be a path"),
    (lambda f: read_chunks(None), "path must be a path"),
    (lambda f: iter_tokens(f, "whitespace"), "tokenizer must be a Tokenizer"),
    (lambda f: iter_tokens([f], Tokenizer()), "source must be a path .*, not list"),
    (lambda f: write_tokens(None, io.StringIO()), "source must be a path"),
    (lambda f: write_tokens(f, io.StringIO(), True), "tokenizer must be a Tokenizer"),
])
def test_wrong_argument_types_are_named_at_the_call(tmp_path, call, message):
    path = tmp_path / "corpus.txt"
    path.write_text("some words")
    with pytest.raises(TypeError, match=message):
        call(path)
