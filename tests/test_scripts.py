"""The demo scripts in scripts/ (word2vec.c's demo-*.sh with this toolkit's commands) run end
to end on small data, offline: the corpus is given, so nothing is fetched."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpora import synth
from wordvec import KeyedVectors

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
DEMOS = ["demo-word.sh", "demo-analogy.sh", "demo-charlm.sh"]
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="the demo scripts need bash")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A synthetic corpus (3,000 sentences, 118 kB) and its planted analogy questions."""
    folder = tmp_path_factory.mktemp("synth")
    synth.write(folder / "synth.txt", n_sentences=3000)
    synth.write_analogies(folder / "questions.txt")
    return folder / "synth.txt", folder / "questions.txt"


@pytest.fixture
def run(tmp_path, toolkit_env):
    """`run(script, *args, stdin=..., NAME=value...)`: the script under bash with `wordvec`,
    `charlm` and `corpora` on PATH running the toolkit this test imports, OUT a fresh
    folder, and the corpus mirror a missing folder, so that any download fails at once."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("wordvec", "charlm", "corpora"):
        entry = f"import sys; from npnlp.entry import {tool}; sys.argv[0] = '{tool}'; {tool}()"
        (bin_dir / tool).write_text(f'#!/bin/sh\nexec "{sys.executable}" -c "{entry}" "$@"\n')
        (bin_dir / tool).chmod(0o755)
    env = {**toolkit_env, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
           "OUT": str(tmp_path / "out"), "NPNLP_MIRROR": str(tmp_path / "no-mirror")}

    def run_script(script, *args, stdin="", **settings):
        return subprocess.run([BASH, str(SCRIPTS / script), *map(str, args)], input=stdin,
                              capture_output=True, text=True,
                              env={**env, **{k: str(v) for k, v in settings.items()}},
                              timeout=300)
    run_script.bin, run_script.out = bin_dir, tmp_path / "out"
    return run_script


def neighbour_tables(stdout):
    """The words of each table `wordvec similar` printed, in order."""
    return [[line.split()[0] for line in table.splitlines()[2:]]
            for table in stdout.strip().split("\n\n")]


@pytest.mark.parametrize("script", DEMOS)
def test_demo_is_an_executable_bash_script_that_stops_at_the_first_error(script):
    path = SCRIPTS / script
    assert os.access(path, os.X_OK)
    lines = path.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines
    assert len([line for line in lines if line and not line.startswith("#")]) <= 20


def test_demo_word_trains_vectors_and_prints_the_neighbours_of_each_word(corpus, run):
    result = run("demo-word.sh", "king", "walked", CORPUS=corpus[0], EPOCHS=3, DIM=50,
                 WORKERS=1)
    assert result.returncode == 0, result.stderr
    vectors = KeyedVectors.load(run.out / "vectors.bin")
    assert vectors.vector_size == 50 and "king" in vectors
    tables = neighbour_tables(result.stdout)
    assert [len(table) for table in tables] == [10, 10]
    assert "queen" in tables[0] and "king" not in tables[0]
    assert "walk" in tables[1]
    assert "355 words x 50 written to" in result.stderr


def test_demo_word_without_words_reads_queries_from_standard_input(corpus, run):
    result = run("demo-word.sh", CORPUS=corpus[0], EPOCHS=1, DIM=20, WORKERS=1,
                 stdin="king\nzzz\nqueen -king\nEXIT\nwalked\n")
    assert result.returncode == 0, result.stderr
    tables = neighbour_tables(result.stdout)
    assert [len(table) for table in tables] == [10, 10]     # EXIT ends it; zzz is unknown
    assert "word 'zzz' not in vocabulary" in result.stderr


def test_demo_analogy_trains_and_prints_the_accuracy(corpus, run):
    text, questions = corpus
    result = run("demo-analogy.sh", questions, CORPUS=text, EPOCHS=3, DIM=50, WORKERS=1)
    assert result.returncode == 0, result.stderr
    assert (run.out / "analogy-vectors.bin").is_file()
    assert f"{questions}: 0 of 312 questions skipped" in result.stdout
    total = re.search(r"Total accuracy +(\d+) +312 +([\d.]+)%", result.stdout)
    assert total, result.stdout
    assert float(total[2]) > 30   # the planted regularities found: 42% with these settings


def fake_curl(bin_dir, served):
    """A `curl` on PATH that writes `served` to its -o file, whatever the URL."""
    (bin_dir / "curl").write_text('#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && '
                                  f'out=$2; shift; done\ncp "{served}" "$out"\n')
    (bin_dir / "curl").chmod(0o755)


def test_demo_analogy_refuses_a_download_that_is_not_word2vecs_questions(corpus, run):
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not found")
    text, questions = corpus
    fake_curl(run.bin, questions)
    result = run("demo-analogy.sh", CORPUS=text, EPOCHS=1, DIM=20, WORKERS=1)
    assert result.returncode != 0
    assert "did NOT match" in result.stderr
    assert not (run.out / "questions-words.txt").exists()        # tried again next time
    assert not (run.out / "analogy-vectors.bin").exists()        # nothing trained


def test_demo_analogy_downloads_the_questions_once(corpus, run, data_file):
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum not found")
    fake_curl(run.bin, data_file("questions-words.txt"))
    result = run("demo-analogy.sh", CORPUS=corpus[0], EPOCHS=1, DIM=20, WORKERS=1)
    assert result.returncode == 0, result.stderr
    downloaded = run.out / "questions-words.txt"
    assert f"{downloaded}: 19,237 of 19,544 questions skipped" in result.stdout
    assert "Semantic accuracy" in result.stdout and "Syntactic accuracy" in result.stdout
    (run.bin / "curl").unlink()                                  # no download the second time
    again = run("demo-analogy.sh", CORPUS=corpus[0], EPOCHS=1, DIM=20, WORKERS=1)
    assert again.returncode == 0, again.stderr


def test_demo_charlm_trains_and_samples_the_requested_length(corpus, run):
    text = corpus[0]
    characters = set(text.read_text()[:20000])
    small = run.out.parent / "small.txt"
    small.write_text(text.read_text()[:20000])
    for prime, length in [("the king", 120), ("", 50)]:     # a second run starts over
        result = run("demo-charlm.sh", TEXT=small, STEPS=3, HIDDEN=16, LENGTH=length,
                     PRIME=prime)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(prime)
        sample = result.stdout[len(prime):]
        assert len(sample) == length + 1 and sample.endswith("\n")
        assert set(sample) <= characters
        assert "3 steps; best validation loss" in result.stderr
    assert (run.out / "shakespeare.npz").is_file()
