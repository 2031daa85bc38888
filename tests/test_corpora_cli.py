"""The `corpora` command: tokenize, vocab, stats, and one-line errors for bad input."""
import gzip
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from corpora.cli import main

TEXT = "The cat sat.\nThe dog sat!\n\nA cat, a dog.\n"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text(TEXT)
    return path


def test_tokenize_writes_one_sentence_per_line(corpus_file, tmp_path):
    result = run("tokenize", corpus_file, "-o", tmp_path / "out.txt", "--sentence-per-line",
                 "--lowercase")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.txt").read_text() == "the cat sat\nthe dog sat\na cat a dog\n"


def test_vocab_writes_word2vec_c_format(corpus_file, tmp_path):
    result = run("vocab", corpus_file, "-o", tmp_path / "vocab.txt", "--lowercase",
                 "--min-count", 2, "--max-vocab", 3)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "vocab.txt").read_text() == "the 2\ncat 2\nsat 2\n"
    assert result.stderr == f"3 words covering 6 of 10 tokens written to {tmp_path}/vocab.txt\n"


def test_stats(corpus_file):
    result = run("stats", corpus_file, "--sentence-per-line", "--keep-punctuation", "--top", 2)
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        "files", "1", "bytes", "41", "chars", "41", "lines", "4", "sentences", "3",
        "tokens", "14", "types", "9", "top", "2", "words:", "The", "2", "cat", "2"]


def test_stats_of_text8_head(data_file):
    result = run("stats", data_file("text8-head.txt"), "--whitespace", "--top", 1)
    assert result.exit_code == 0, result.output
    counts = dict(line.split() for line in result.output.splitlines() if ":" not in line)
    assert counts["tokens"] == "2,333,562" and counts["the"] == "146,679"


def test_invalid_bytes_are_reported_in_one_warning(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("un café très noir\n".encode("latin-1"))
    result = run("stats", tmp_path / "latin1.txt", "-q")
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Warning: 2 invalid UTF-8 sequences in {tmp_path / 'latin1.txt'} "
                             f"were replaced with U+FFFD\n")


def corrupt_gzip(path):
    path.write_bytes(gzip.compress(b"some words " * 100)[:-20])


def assert_one_error_line(result, message):
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert message in result.output


@pytest.mark.parametrize("make, args, message", [
    (None, [], "no such file or folder"),
    (lambda p: p.write_text(""), [], "is empty"),
    (lambda p: p.mkdir(), [], "no files in folder"),
    (lambda p: p.write_bytes(bytes(range(256)) * 40), [], "looks binary"),
    (corrupt_gzip, [], "corrupt gzip file"),
    (lambda p: p.write_text("a b c"), ["--whitespace", "--drop-numbers"], "whitespace"),
])
@pytest.mark.parametrize("command", ["tokenize", "vocab", "stats"])
def test_bad_input_is_one_error_line(tmp_path, command, make, args, message):
    source = tmp_path / "input"
    if make:
        make(source)
    out = ["-o", tmp_path / "out.txt"] if command != "stats" else []
    assert_one_error_line(run(command, source, *out, *args), message)
    assert not (tmp_path / "out.txt").exists()


def test_empty_vocabulary_is_one_error_line(corpus_file, tmp_path):
    result = run("vocab", corpus_file, "-o", tmp_path / "vocab.txt", "--min-count", 3)
    assert_one_error_line(result, "empty vocabulary: no word occurs at least 3 times")
    assert not (tmp_path / "vocab.txt").exists()


@pytest.mark.parametrize("command", ["tokenize", "vocab"])
def test_missing_output_folder_is_reported_before_reading(tmp_path, command):
    source = tmp_path / "blob.bin"
    source.write_bytes(bytes(range(256)) * 40)  # reading it would fail: "looks binary"
    output = tmp_path / "missing" / "out.txt"
    assert_one_error_line(run(command, source, "-o", output),
                          f"cannot write {output}: no such folder: {output.parent}\n")


def test_synth_checks_both_outputs_before_writing(tmp_path):
    output, analogies = tmp_path / "synth.txt", tmp_path / "missing" / "questions.txt"
    assert_one_error_line(run("synth", "-o", output, "--analogies", analogies),
                          "no such folder")
    assert not output.exists()


def special_files(tmp_path):
    """Files that replacing with a regular file would destroy, by kind."""
    target = tmp_path / "target.txt"
    target.write_text("precious")
    (tmp_path / "link.txt").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    files = {"a symbolic link": tmp_path / "link.txt", "a FIFO": tmp_path / "fifo",
             "a folder": tmp_path / "folder"}
    try:  # a node like /dev/null; only root may make one
        os.mknod(tmp_path / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        files["a device"] = tmp_path / "null"
    except PermissionError:
        pass
    return files


@pytest.mark.parametrize("command", ["tokenize", "vocab", "synth"])
def test_output_that_is_not_a_regular_file_is_refused(corpus_file, tmp_path, command):
    for kind, output in special_files(tmp_path).items():
        before = os.lstat(output)
        source = [] if command == "synth" else [corpus_file]
        assert_one_error_line(run(command, *source, "-o", output),
                              f"refusing to replace {output}: it is {kind}")
        after = os.lstat(output)
        assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert (tmp_path / "target.txt").read_text() == "precious"


def same_file_by_other_paths(corpus_file):
    """The corpus file itself, and other paths to it: relative, through a symlinked folder,
    a hard link."""
    folder = corpus_file.parent
    (folder / "sub").mkdir()
    (folder / "linked-folder").symlink_to(folder)
    os.link(corpus_file, folder / "hardlink.txt")
    return [corpus_file, folder / "sub" / ".." / corpus_file.name,
            folder / "linked-folder" / corpus_file.name, folder / "hardlink.txt"]


@pytest.mark.parametrize("command", ["tokenize", "vocab"])
def test_output_that_is_the_input_is_refused(corpus_file, command):
    for output in same_file_by_other_paths(corpus_file):
        assert_one_error_line(run(command, corpus_file, "-o", output),
                              f"refusing to overwrite {output}: it is the input")
        assert corpus_file.read_text() == TEXT


@pytest.mark.parametrize("command", ["tokenize", "vocab"])
def test_output_inside_the_input_folder_is_refused(corpus_file, tmp_path, command):
    (tmp_path / "sub").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path)
    for output in [tmp_path / "new.txt", tmp_path / "sub" / "new.txt",
                   tmp_path / "alias" / "sub" / "new.txt"]:
        assert_one_error_line(run(command, tmp_path, "-o", output),
                              f"refusing to write {output} inside the input folder")
        assert not output.exists()


def test_output_beside_the_input_is_written(corpus_file, tmp_path):
    result = run("tokenize", corpus_file, "-o", tmp_path / "tokens.txt")
    assert result.exit_code == 0, result.output
    assert corpus_file.read_text() == TEXT


@pytest.mark.parametrize("command, args, expected", [
    ("tokenize", ["--lowercase"], "the cat sat\nthe dog sat\na cat a dog\n"),
    ("tokenize", ["--no-sentence-per-line"], "The cat sat The dog sat A cat a dog\n"),
    ("vocab", ["--min-count", "2", "-q"], "The 2\ncat 2\nsat 2\ndog 2\n"),
])
def test_dash_output_is_standard_output(corpus_file, tmp_path, command, args, expected):
    result = run(command, corpus_file, "-o", "-", *args)
    assert result.exit_code == 0, result.output
    assert result.stdout == expected
    assert not (tmp_path / "-").exists()


def test_synth_dash_output_is_standard_output(tmp_path):
    result = run("synth", "-o", "-", "-n", 3, "--analogies", tmp_path / "questions.txt")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 3
    result = run("synth", "-o", tmp_path / "synth.txt", "--analogies", "-")
    assert result.stdout.startswith(": ")


@pytest.mark.parametrize("command, args, expected", [
    ("stats", ["--top", "1"], "tokens 3 types 2 top 1 words: b 2"),
    ("tokenize", ["-o", "-"], "b a b"),
    ("vocab", ["-o", "-", "-q"], "b 2 a 1"),
])
def test_dash_source_is_standard_input_and_never_cached(tmp_path, monkeypatch, command, args,
                                                       expected):
    monkeypatch.setenv("NPNLP_CACHE_DIR", str(tmp_path))
    result = CliRunner().invoke(main, [command, "-", *args], input="b a b\n")
    assert result.exit_code == 0, result.output
    assert expected in " ".join(result.stdout.split())
    assert list(tmp_path.iterdir()) == []


def test_empty_source_is_one_error_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text("words")
    assert_one_error_line(run("stats", ""), "the path is empty")


def corpora_process(args, toolkit_env, stdout=subprocess.PIPE, **kwargs):
    """Run the `corpora` command in a process of its own; its stderr is captured."""
    entry = "import sys; from corpora.cli import main; sys.argv[0] = 'corpora'; main()"
    return subprocess.run([sys.executable, "-c", entry, *map(str, args)], env=toolkit_env,
                          stdout=stdout, stderr=subprocess.PIPE, text=True, **kwargs)


def test_process_substitution_is_read_as_a_stream(toolkit_env):
    read_end, write_end = os.pipe()
    os.write(write_end, b"piped words\n")
    os.close(write_end)
    result = corpora_process(["stats", f"/dev/fd/{read_end}", "--top", "0"], toolkit_env,
                             pass_fds=[read_end])
    os.close(read_end)
    assert result.returncode == 0, result.stderr
    assert "tokens 2" in " ".join(result.stdout.split())


@pytest.mark.parametrize("args", [["stats", "--top", "50"], ["tokenize", "-o", "-"],
                                  ["vocab", "-o", "-"]])
def test_closed_output_pipe_ends_silently(corpus_file, toolkit_env, args):
    read_end, write_end = os.pipe()
    os.close(read_end)  # as `| head -1` does once it has its line
    command, *options = args
    result = corpora_process([command, corpus_file, *options], toolkit_env, stdout=write_end)
    os.close(write_end)
    assert (result.returncode, result.stderr) == (141, "")


def test_cache_lists_its_entries_and_clears_them_keeping_downloads(tmp_path):
    from corpora import load_chars, load_corpus
    cache_dir = tmp_path / "cache"
    text = tmp_path / "story.txt"
    text.write_text("once upon a time " * 100)
    load_corpus(text, cache_dir=cache_dir)
    text.write_text("twice upon a time " * 100)   # a new version: a second entry
    load_corpus(text, cache_dir=cache_dir)
    load_chars(text, cache_dir=cache_dir)
    (cache_dir / "corpora" / "text8").mkdir(parents=True)
    (cache_dir / "corpora" / "text8" / "text8").write_bytes(bytes(2**20))
    listed = CliRunner().invoke(main, ["cache", "--cache-dir", str(cache_dir)])
    assert listed.exit_code == 0, listed.output
    kinds = [line.split()[0] for line in listed.output.splitlines()[:-1]]
    assert kinds == ["tokens", "tokens", "chars", "download"]
    assert all(line.endswith("story.txt") for line in listed.output.splitlines()[:3])
    assert listed.output.splitlines()[-1].startswith("4 entries, 1.0 MB in ")
    cleared = CliRunner().invoke(main, ["cache", "--clear", "--cache-dir", str(cache_dir)])
    assert cleared.exit_code == 0 and "downloaded corpora kept" in cleared.output
    assert [p.name for p in cache_dir.rglob("*") if p.is_file()] == ["text8"]
    (cache_dir / "tokens" / "notes.txt").write_text("mine")    # not the toolkit's: kept
    (cache_dir / "corpora" / "thesis").mkdir()
    CliRunner().invoke(main, ["cache", "--clear", "--downloads", "--cache-dir", str(cache_dir)])
    assert sorted(p.name for p in cache_dir.rglob("*") if not p.is_dir() or not
                  any(p.iterdir())) == ["chars", "notes.txt", "thesis"]   # and empty folders
