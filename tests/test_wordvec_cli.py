"""The `wordvec` query, evaluation and conversion commands."""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from corpora import synth
from wordvec import KeyedVectors
from wordvec.cli import main


def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


@pytest.fixture
def vectors(tmp_path):
    e = np.eye(6, dtype=np.float32)
    words = ["king", "queen", "man", "woman", "apple", "pear"]
    rows = [e[0] + e[1], e[0] + e[2], e[1], e[2], e[3] + 0.1 * e[4], e[3]]
    path = tmp_path / "v.bin"
    KeyedVectors.from_vectors(words, rows).save_word2vec_format(path, binary=True)
    return path


def test_similar_prints_a_table_of_neighbours(vectors):
    result = run("similar", vectors, "apple", "--topn", 2)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Cosine similarity" in lines[0] and lines[2].split()[0] == "pear"


def test_similar_with_a_negative_word_as_json(vectors):
    result = run("similar", vectors, "king", "woman", "-n", "man", "--topn", 1, "--json")
    answer = json.loads(result.output)
    assert answer["results"][0]["word"] == "queen"
    assert answer["query"] == {"positive": ["king", "woman"], "negative": ["man"]}


def test_analogy(vectors):
    result = run("analogy", vectors, "man", "king", "woman", "--topn", 1, "--json")
    assert json.loads(result.output)["results"][0]["word"] == "queen"
    assert run("analogy", vectors, "man", "king").exit_code == 2


def test_interactive_mode_answers_each_line_and_reports_unknown_words(vectors):
    """With --json every query gets its line, an unanswerable one an "error"."""
    result = run("similar", vectors, "--json", "--topn", 1,
                 input="apple\nzebra\nking -king\nking -man woman\nEXIT\nqueen\n")
    assert result.exit_code == 0
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a.get("error") or a["results"][0]["word"] for a in answers] == [
        "pear", "word 'zebra' not in vocabulary",
        "the query words cancel out: nothing is nearest to a zero vector", "queen"]
    assert answers[1]["query"] == {"positive": ["zebra"], "negative": []}
    result = run("similar", vectors, "--topn", 1, input="zebra\napple\n")
    assert result.stderr == "word 'zebra' not in vocabulary\n" and "pear" in result.stdout
    result = run("analogy", vectors, "--topn", 1, "--json", input="man king\nman king woman\n")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert answers[0] == {"query": {"words": ["man", "king"]},
                          "error": "give three words A B C, not 2"}
    assert answers[1]["results"][0]["word"] == "queen"


@pytest.mark.parametrize("command,words,message", [
    pytest.param("similar", ["zebra"], "word 'zebra' not in vocabulary", id="unknown-word"),
    pytest.param("similar", ["king", "-n", "king"], "the query words cancel out: nothing is "
                 "nearest to a zero vector", id="words-that-cancel-out"),
    pytest.param("similar", ["king", "-napple2"], "-napple2 was read as -n apple2; to subtract "
                 "'napple2', write -n napple2", id="glued-negative-of-an-unknown-word"),
    pytest.param("analogy", ["man", "king", "zebra"], "word 'zebra' not in vocabulary",
                 id="analogy-of-an-unknown-word"),
])
def test_a_query_that_cannot_be_answered_is_a_one_line_error(vectors, command, words, message):
    result = run(command, vectors, *words)
    assert (result.exit_code, result.output) == (1, f"Error: {message}\n")


def test_a_negative_word_glued_to_its_option_is_subtracted(vectors):
    glued = run("similar", vectors, "king", "-nman", "--json")    # click reads it as -n man
    assert glued.exit_code == 0, glued.output
    assert json.loads(glued.output)["query"] == {"positive": ["king"], "negative": ["man"]}
    assert glued.output == run("similar", vectors, "king", "-n", "man", "--json").output


def test_evaluate_prints_sections_and_correlations(tmp_path):
    words = [w for pairs in synth.PAIRS.values() for pair in pairs for w in pair]
    rng = np.random.default_rng(0)
    path = tmp_path / "v.txt"
    kv = KeyedVectors.from_vectors(words, rng.standard_normal((len(words), 8)))
    kv.save_word2vec_format(path)
    questions, pairs = tmp_path / "q.txt", tmp_path / "ws.tsv"
    synth.write_analogies(questions)
    pairs.write_text("king\tqueen\t8\nman\twoman\t7\nparis\tfrance\t5\nwalk\tate\t1\n")
    result = run("evaluate", path, "--analogies", questions, "--similarity", pairs)
    assert result.exit_code == 0, result.output
    assert "Total accuracy" in result.output and "Spearman" in result.output
    report = json.loads(run("evaluate", path, "--analogies", questions, "--json").output)
    assert report["analogies"]["sections"][-1]["total"] == report["analogies"]["questions"]
    assert run("evaluate", path).exit_code == 2
    piped = run("evaluate", path, "--analogies", "-", "--json",
                input=questions.read_text())   # as word2vec.c's compute-accuracy reads them
    assert json.loads(piped.output)["analogies"] == {**report["analogies"], "file": "-"}


def test_evaluate_splits_semantic_and_syntactic_and_marks_empty_sections(vectors, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text(": royalty\nman king woman queen\n: fruit\nzebra lion apple pear\n"
                         ": gram1-plural\nking man queen woman\n")
    lines = run("evaluate", vectors, "--analogies", questions).output.splitlines()
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows["royalty"] == ["1", "1", "100.0%"] and rows["fruit"] == ["0", "0", "-"]
    assert rows["Semantic"][1:] == ["1", "1", "100.0%"]
    assert rows["Syntactic"][1:] == ["1", "1", "100.0%"] and rows["Total"][1:3] == ["2", "2"]


@pytest.mark.parametrize("name,to", [("out.txt", None), ("out.bin.gz", None),
                                     ("out", "native"), ("out.vec", "text")])
def test_convert_between_formats(vectors, tmp_path, name, to):
    args = ["--to", to] if to else []
    result = run("convert", vectors, tmp_path / name, *args, "--limit", 4)
    assert result.exit_code == 0, result.output
    converted = KeyedVectors.load(tmp_path / name)
    original = KeyedVectors.load(vectors)
    assert converted.index_to_key == original.index_to_key[:4]
    np.testing.assert_array_equal(converted.vectors, original.vectors[:4])


def test_convert_to_projector_and_to_native_by_default(vectors, tmp_path):
    assert run("convert", vectors, tmp_path / "proj", "--to", "projector").exit_code == 0
    assert (tmp_path / "proj" / "metadata.tsv").read_text().split() == [
        "king", "queen", "man", "woman", "apple", "pear"]
    assert run("convert", vectors, tmp_path / "out").exit_code == 0   # no extension: as train
    assert KeyedVectors.load(tmp_path / "out").index_to_key[0] == "king"
    assert run("convert", vectors, f"{tmp_path / 'out.d'}/").exit_code == 0   # a folder
    assert KeyedVectors.load(tmp_path / "out.d").index_to_key[0] == "king"
    np.save(tmp_path / "out" / "output.npy", np.zeros((6, 6), np.float32))   # as train's
    result = run("convert", vectors, tmp_path / "out")
    assert result.exit_code == 1 and "holds a model `wordvec train` can resume" in result.output


@pytest.mark.parametrize("name", ["out.gz", "out.tsv"])
def test_convert_asks_for_to_when_the_extension_names_no_format(vectors, tmp_path, name):
    result = run("convert", vectors, tmp_path / name)
    assert result.exit_code == 2 and "give --to" in result.output
    assert not (tmp_path / name).exists()


def test_broken_vectors_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text("2 3\nthe 1 2 3\nof 1 2\n")
    result = run("similar", path, "the")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "line 3: expected the word 'of'" in result.output


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "synth.txt"
    synth.write(path, 4000, seed=1)
    return path


def test_train_writes_vectors_a_query_can_read(small_corpus, tmp_path):
    out = tmp_path / "vectors.bin"
    result = run("train", small_corpus, "-o", out, "--sentence-per-line", "--dim", 16,
                 "--epochs", 2, "--min-count", 2, "--save-vocab", tmp_path / "vocab.txt", "-q")
    assert result.exit_code == 0, result.output
    kv = KeyedVectors.load(out)
    assert kv.vector_size == 16 and kv.index_to_key[0] == "the"
    assert (tmp_path / "vocab.txt").read_text().split("\n")[0].startswith("the ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vectors.bin", "vocab.txt"]
    assert run("similar", out, "king").exit_code == 0


def test_train_native_output_keeps_the_model(small_corpus, tmp_path):
    from wordvec.run import load_model
    result = run("train", small_corpus, "-o", tmp_path / "model", "--cbow", "--loss",
                 "hierarchical", "--dim", 8, "--epochs", 1, "--min-count", 2, "-q")
    assert result.exit_code == 0, result.output
    model, state, _ = load_model(tmp_path / "model")
    assert not model.config.sg and model.config.loss == "hierarchical"
    assert model.output.W.data.shape == (len(model.words) - 1, 8) and state.epoch == 1


def test_train_reports_a_missing_output_folder_before_any_work(small_corpus, tmp_path):
    result = run("train", small_corpus, "-o", tmp_path / "nowhere" / "v.bin")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write") and "no such folder" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("args,code,message", [
    pytest.param(["--dim", "0"], 2, "Invalid value for '--dim'", id="dim-zero"),
    pytest.param(["--window", "-1"], 2, "Invalid value for '--window'", id="negative-window"),
    pytest.param(["--sample", "1.5"], 2, "Invalid value for '--sample'", id="sample-above-one"),
    pytest.param(["--loss", "nce"], 2, "Invalid value for '--loss'", id="unknown-loss"),
    pytest.param(["--batch", "0"], 2, "Invalid value for '--batch'", id="batch-zero"),
    pytest.param(["--negative", "0"], 1, "is --loss hierarchical", id="negative-zero"),
    pytest.param(["--min-count", "1000000"], 1, "no word occurs at least 1000000 times",
                 id="min-count-above-every-word"),
    pytest.param(["--negative", "5000", "--min-count", "2"], 1, "--negative 5000 draws more "
                 "noise words per prediction than the vocabulary has words",
                 id="negative-above-vocabulary"),
    pytest.param(["--dim", "10000000", "--min-count", "2"], 1, "10,000,000 dimensions with 1 "
                 "worker needs about", id="too-large-for-memory"),
])
def test_train_bad_settings(small_corpus, tmp_path, args, code, message):
    """Refused before anything is written: a usage error (2), or our one-line error (1) after
    any warnings."""
    result = run("train", small_corpus, "-o", tmp_path / "v.bin", *args)
    assert result.exit_code == code, result.output
    if code == 1:
        last = result.output.splitlines()[-1]
        assert last.startswith("Error: ") and message in last
    else:
        assert message in result.output
    assert not list(tmp_path.iterdir())


def test_train_on_an_empty_corpus(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = run("train", tmp_path / "empty.txt", "-o", tmp_path / "v.bin")
    assert result.exit_code == 1 and "empty" in result.output


def test_ctrl_c_saves_a_checkpoint_that_resumes_to_the_uninterrupted_result(
        small_corpus, tmp_path, toolkit_env):
    """A real SIGINT to a real process, once its first epoch is saved."""
    import signal
    import subprocess
    import sys
    import time

    args = [small_corpus, "--sentence-per-line", "--dim", "16", "--epochs", "12",
            "--min-count", "2", "--batch", "50", "-q", "--format", "text"]
    entry = "import sys; from wordvec.cli import main; sys.argv[0] = 'wordvec'; main()"
    command = [sys.executable, "-c", entry, "train", *map(str, args)]
    out = tmp_path / "interrupted.txt"
    process = subprocess.Popen([*command, "-o", str(out)], env=toolkit_env,
                               stderr=subprocess.PIPE, text=True)
    checkpoint = tmp_path / "interrupted.txt.checkpoint"
    deadline = time.monotonic() + 60
    while not checkpoint.is_dir() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 130, process.stderr.read()
    assert "--resume" in process.stderr.read() and not out.exists()
    resumed = subprocess.run([*command, "-o", str(out), "--resume"], env=toolkit_env)
    assert resumed.returncode == 0 and not checkpoint.exists()
    straight = subprocess.run([*command, "-o", str(tmp_path / "straight.txt")], env=toolkit_env)
    assert straight.returncode == 0
    assert out.read_text() == (tmp_path / "straight.txt").read_text()


@pytest.mark.parametrize("args,in_the_way,code,message", [
    pytest.param(["--save-vocab", "v.bin"], None, 1, "--save-vocab names v.bin, where "
                 "training writes its vectors", id="vocabulary-over-the-vectors"),
    pytest.param(["--save-vocab", "v.bin.checkpoint"], None, 1, "--save-vocab names "
                 "v.bin.checkpoint, where training writes its checkpoint",
                 id="vocabulary-over-the-checkpoint"),
    pytest.param(["-o", "-"], None, 2, "give -o a path", id="vectors-to-stdout"),
    pytest.param([], "a file", 1, "v.bin.checkpoint is in the way: training keeps its "
                 "checkpoint there", id="a-file-where-the-checkpoint-goes"),
    pytest.param([], "a folder", 1, "v.bin.checkpoint holds an interrupted run: add --resume "
                 "to continue it", id="an-interrupted-run"),
])
def test_train_refuses_what_would_lose_work(small_corpus, tmp_path, monkeypatch, args,
                                            in_the_way, code, message):
    monkeypatch.chdir(tmp_path)
    checkpoint = tmp_path / "v.bin.checkpoint"
    if in_the_way == "a file":
        checkpoint.write_text("not a checkpoint")
    elif in_the_way == "a folder":
        checkpoint.mkdir()
    result = run("train", small_corpus, "-o", "v.bin", *args)
    assert result.exit_code == code and message in result.output, result.output
    assert [p.name for p in tmp_path.iterdir()] == ([checkpoint.name] if in_the_way else [])
    assert in_the_way != "a file" or checkpoint.read_text() == "not a checkpoint"


def test_resume_keeps_its_settings_and_names_what_differs(small_corpus, tmp_path):
    from corpora import Tokenizer
    from wordvec.config import TrainConfig
    from wordvec.model import Word2VecNet
    from wordvec.run import save_model
    config = TrainConfig(dim=8, min_count=2, epochs=2)
    model = Word2VecNet(config, ["a", "b"], [3, 2])
    save_model(tmp_path / "v.bin.checkpoint", model,
               extra={"tokenizer": Tokenizer(sentence_per_line=False, lowercase=True).key()})
    result = run("train", small_corpus, "-o", tmp_path / "v.bin", "--resume", "--dim", 50)
    assert "--dim 50 (saved: --dim 8)" in result.output
    result = run("train", small_corpus, "-o", tmp_path / "v.bin", "--resume", "--cbow")
    assert "--cbow (saved: --sg)" in result.output   # as typed, not '--sg False'
    result = run("train", small_corpus, "-o", tmp_path / "v.bin", "--resume")
    assert "add --lowercase, add --no-sentence-per-line" in result.output


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_a_trained_native_model_trains_further(small_corpus, tmp_path):
    """--resume on a finished model, with more epochs and a new rate; a diverging run says
    where the last good model is and how to go on from it."""
    from wordvec.run import load_model
    out = tmp_path / "m"
    args = [small_corpus, "-o", out, "--dim", 8, "--min-count", 2, "-q"]
    assert run("train", *args, "--epochs", 1).exit_code == 0
    result = run("train", *args, "--resume")
    assert result.exit_code == 1 and "has done 1 epoch and --epochs is 1" in result.output
    result = run("train", *args, "--epochs", 1)   # not replaced without being asked
    assert result.exit_code == 1 and "holds a model `wordvec train` can train" in result.output
    result = run("train", *args, "--resume", "--epochs", 2, "--alpha", 0.01, "--workers", 2)
    assert result.exit_code == 0, result.output
    model, state, _ = load_model(out)
    assert state.epoch == 2 and len(state.epoch_loss) == 2
    assert model.config.alpha == 0.01 and model.config.min_alpha == pytest.approx(1e-6)
    result = run("train", *args, "--resume", "--epochs", 3, "--alpha", 9, "--workers", 1)
    assert result.exit_code == 1 and result.output.count("\n") == 1
    assert f"The run to the end of epoch 2 is kept in {out}: add --resume" in result.output
    assert "--batch" not in result.output   # a resumed run keeps its steps
    assert load_model(out)[1].epoch == 2 and not (tmp_path / "m.checkpoint").exists()
    other = tmp_path / "other.txt"
    synth.write(other, 1000, seed=9)
    result = run("train", other, *args[1:], "--resume", "--epochs", 3)
    assert f"the corpus {other} is not the one {out} was trained on" in result.output


def test_convert_to_stdout_and_into_folders(vectors, tmp_path):
    result = run("convert", vectors, "-")
    assert result.exit_code == 0 and result.output.startswith("6 6\nking ")
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"\xff")
    result = run("convert", vectors, tmp_path / "photos", "--to", "projector")
    assert result.exit_code == 1 and "not writing into it" in result.output
    assert run("similar", "-").exit_code == 2
    result = run("analogy", "-", input="")   # the vectors on stdin leave no room for queries
    assert result.exit_code == 2 and "give the words A B C as arguments" in result.output


def test_a_full_disk_at_the_final_save_keeps_the_run_and_resume_writes_it(
        small_corpus, tmp_path, monkeypatch):
    import errno

    import wordvec.vectors

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    args = ["train", small_corpus, "--dim", 8, "--epochs", 2, "--min-count", 2, "-q"]
    with monkeypatch.context() as patch:
        patch.setattr(wordvec.vectors, "write_word2vec", full)
        result = run(*args, "-o", tmp_path / "v.txt")
    assert result.exit_code == 1
    assert result.output.splitlines(keepends=True)[-1] == (
        f"Error: could not write {tmp_path / 'v.txt'}: No space left on device. The trained "
        f"model is safe in {tmp_path / 'v.txt.checkpoint'}: once that is fixed, the same "
        f"command with --resume writes it (or `wordvec convert {tmp_path / 'v.txt.checkpoint'}"
        f" OUT`)\n")
    resumed = run(*args, "-o", tmp_path / "v.txt", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert not (tmp_path / "v.txt.checkpoint").exists()
    assert run(*args, "-o", tmp_path / "straight.txt").exit_code == 0
    assert (tmp_path / "v.txt").read_text() == (tmp_path / "straight.txt").read_text()


def test_a_window_wider_than_every_sentence_is_cut_to_the_longest_and_kept_as_typed(
        small_corpus, tmp_path):
    """(Sizes too large for memory, or more noise words than words, are refused: see
    test_train_bad_settings.)"""
    out = tmp_path / "v.bin"
    longest = max(len(line.split()) for line in small_corpus.read_text().splitlines())
    result = run("train", small_corpus, "-o", out, "--window", 1000, "--dim", 8,
                 "--epochs", 1, "--min-count", 2, "--format", "native")
    assert result.exit_code == 0, result.output
    assert f"--window 1000 is wider than the longest sentence ({longest} words): using " \
           f"{longest - 1}" in result.output
    assert json.loads((out / "config.json").read_text())["train"]["window"] == 1000   # as typed
    more = run("train", small_corpus, "-o", out, "--window", 1000, "--dim", 8, "--epochs", 2,
               "--min-count", 2, "--format", "native", "--resume")   # so the settings match
    assert more.exit_code == 0, more.output
