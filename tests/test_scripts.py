"""The pipeline scripts in scripts/ do the jobs of their `corpora` commands."""
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture
def run(toolkit_env):
    def run_script(script, *args):
        return subprocess.run([sys.executable, str(SCRIPTS / script), *map(str, args)],
                              capture_output=True, text=True, env=toolkit_env)
    return run_script


def test_tokenize_corpus_writes_sentences_to_stdout(tmp_path, run):
    source = tmp_path / "in.txt"
    source.write_text("Hello, World!\r\nthe  world\n")
    result = run("tokenize_corpus.py", source, "--lowercase", "--sentence-per-line")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello world\nthe world\n"


def test_build_vocab_writes_word_counts(tmp_path, run):
    source, vocab = tmp_path / "in.txt", tmp_path / "vocab.txt"
    source.write_text("b a b c b a\n")
    result = run("build_vocab.py", source, vocab, "--whitespace", "--min-count", "2")
    assert result.returncode == 0, result.stderr
    assert vocab.read_text() == "b 3\na 2\n"


def test_bad_input_is_one_line_and_exit_1(tmp_path, run):
    result = run("build_vocab.py", tmp_path / "missing.txt", tmp_path / "vocab.txt")
    assert result.returncode == 1
    assert result.stderr == f"Error: no such file or folder: {tmp_path / 'missing.txt'}\n"
