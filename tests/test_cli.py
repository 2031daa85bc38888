"""The console scripts: --help, --version, and what to type for another tool's option."""

import pytest
from click.testing import CliRunner

from charlm.cli import main as charlm_main
from corpora.cli import main as corpora_main
from wordvec.cli import main as wordvec_main


@pytest.mark.parametrize("command", [wordvec_main, charlm_main, corpora_main])
def test_help_and_version(command):
    runner = CliRunner()
    result = runner.invoke(command, ["--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    result = runner.invoke(command, ["--version"])
    assert result.exit_code == 0, result.output
    assert "0.1.0" in result.output


@pytest.mark.parametrize("command,args,hint", [
    (wordvec_main, ["train", "c.txt", "-o", "v", "--window", "3", "-size", "50"],
     "No such option: -size (use --dim)"),
    (wordvec_main, ["train", "c.txt", "-o", "v", "--min_count=2"], "(use --min-count)"),
    (wordvec_main, ["train", "c.txt", "-o", "v", "-threads", "2"], "(use --workers)"),
    (charlm_main, ["train", "t.txt", "-o", "m", "-rnn_size", "128"], "(use --hidden)"),
    (charlm_main, ["sample", "m", "-primetext", "a"], "(use --prime)"),
    # click reads these as a short option and its value ('-t emperature'), failing elsewhere
    (charlm_main, ["sample", "m", "-temperature", "0.5"], "-temperature (use --temperature)"),
    (wordvec_main, ["train", "c.txt", "-output", "v.bin"], "-output (use -o)"),
    (wordvec_main, ["train", "c.txt", "-o", "v", "-hs", "1"],
     "(use --loss hierarchical, or hierarchical+negative with --negative N)"),
    (charlm_main, ["train", "t.txt", "-o", "m", "-gpuid", "-1"],
     "-gpuid (CPU only: charlm has no GPU option)"),
    (wordvec_main, ["train", "c.txt", "-o", "v", "--cbow", "1"], "--cbow takes no value (use"),
    (corpora_main, ["vocab", "c.txt", "-o", "-", "-min-count", "3"], "(use --min-count)"),
    (wordvec_main, ["similar", "v.bin", "king", "-man", "woman"],
     "No such option: -man (use -n man to subtract the word man)"),
    (wordvec_main, ["similar", "v.bin", "king", "-his"], "-his (use -n his to subtract"),
])
def test_the_options_of_word2vec_c_and_char_rnn_point_to_ours(command, args, hint):
    """An option typed from another tool's habit names ours, not a click guess from its
    first letter ('No such option -s'); known options next to it are not blamed."""
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 2 and hint in result.output


@pytest.mark.parametrize("command,args", [
    pytest.param(wordvec_main, ["train", "c.txt", "-o", "v", "--bogus", "1"], id="wordvec"),
    # -length is --prime's text, not blamed
    pytest.param(charlm_main, ["sample", "m", "--prime", "-length", "--bogus"],
                 id="charlm-after-an-option-value-like-an-option"),
])
def test_an_unknown_option_without_a_hint_keeps_clicks_message(command, args):
    result = CliRunner().invoke(command, args)
    assert result.exit_code == 2 and "--bogus" in result.output and "(use" not in result.output


@pytest.mark.parametrize("args,message", [
    (["train", "c.txt", "-o", "v", "--dim"], "Option '--dim' requires an argument"),
    (["train", "c.txt", "-o", "v", "--cbow=1"], "Option '--cbow' does not take a value"),
])
def test_our_own_options_misused_keep_clicks_message(args, message):
    """A hint is for another tool's option: our own, typed without its value, is not one."""
    result = CliRunner().invoke(wordvec_main, args)
    assert result.exit_code == 2 and message in result.output and "(use" not in result.output


def test_ctrl_c_outside_training_exits_130(monkeypatch, tmp_path):
    """As a process killed by SIGINT (a shell's `$?` is 130), not click's "Aborted!" and 1."""
    import corpora.cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(corpora.cli, "load_corpus", interrupted)
    (tmp_path / "c.txt").write_text("a b\n")
    result = CliRunner().invoke(corpora_main, ["stats", str(tmp_path / "c.txt")])
    assert (result.exit_code, result.stderr) == (130, "Interrupted.\n")


@pytest.mark.parametrize("tool,args", [
    ("wordvec", ["--epochs", "1000", "--dim", "8", "--min-count", "1"]),
    ("charlm", ["--steps", "100000", "--hidden", "8", "--layers", "1", "--embed", "4",
                "--seq-len", "10", "--batch", "2"]),
])
def test_a_second_run_writing_the_same_output_is_refused(tool, args, tmp_path, toolkit_env):
    """Two real processes: while the first trains, the second is refused (and the first's
    run goes on, to be stopped by Ctrl-C as usual)."""
    import signal
    import subprocess
    import sys
    import time

    text = tmp_path / "text.txt"
    text.write_text("the cat sat on the mat and the dog sat on the log\n" * 50)
    out = tmp_path / "out.bin"
    entry = f"import sys; from {tool}.cli import main; sys.argv[0] = '{tool}'; main()"
    command = [sys.executable, "-c", entry, "train", str(text), "-o", str(out), "-q", *args]
    first = subprocess.Popen(command, env=toolkit_env, stderr=subprocess.PIPE, text=True)
    lock = tmp_path / "out.bin.lock"
    deadline = time.monotonic() + 60
    while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    second = subprocess.run(command, env=toolkit_env, capture_output=True, text=True)
    assert second.returncode == 1
    assert f"another run (process {first.pid}) is writing" in second.stderr
    assert first.poll() is None
    first.send_signal(signal.SIGINT)
    assert first.wait(60) == 130, first.stderr.read()
    assert not lock.exists()


def test_ctrl_c_while_a_tool_is_still_importing_exits_130_without_a_traceback(
        monkeypatch, capsys):
    import importlib

    from npnlp import entry

    def interrupted(name):
        raise KeyboardInterrupt
    monkeypatch.setattr(importlib, "import_module", interrupted)
    with pytest.raises(SystemExit) as exit:
        entry.wordvec()
    assert exit.value.code == 130 and capsys.readouterr().err == "Interrupted.\n"


def test_a_killed_runs_workers_neither_hold_its_lock_nor_run_on(tmp_path, toolkit_env):
    """kill -9 of `wordvec train --workers 2` frees the output at once: the forked workers
    hold no copy of the lock, and they stop when they find their parent gone."""
    import signal
    import subprocess
    import sys
    import time

    from corpora import synth
    from npnlp.files import output_lock

    corpus, out = tmp_path / "corpus.txt", tmp_path / "v.bin"
    synth.write(corpus, 20_000, seed=1)
    entry = "import sys; from wordvec.cli import main; sys.argv[0] = 'wordvec'; main()"
    run = subprocess.Popen([sys.executable, "-c", entry, "train", str(corpus), "-o", str(out),
                            "--workers", "2", "--epochs", "100", "-q"], env=toolkit_env,
                           stderr=subprocess.DEVNULL)
    checkpoint = tmp_path / "v.bin.checkpoint"   # saved after the first epoch's workers
    deadline = time.monotonic() + 60
    while not checkpoint.is_dir() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)                               # the second epoch's workers are training
    workers = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True)
    run.send_signal(signal.SIGKILL)
    run.wait()
    with output_lock(out):                        # not held by the orphaned workers
        pass
    time.sleep(1)
    alive = [pid for pid in workers.stdout.split() if _running(pid)]
    assert workers.stdout.split() and not alive


def _running(pid):
    """Whether process `pid` exists and is not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("value", [
    pytest.param("\u00b2", id="superscript-two"),   # '²' passes str.isdigit
    pytest.param("two", id="a-word"),
    pytest.param("-1", id="negative"),
])
def test_workers_take_a_number_or_auto_and_nothing_else(value):
    result = CliRunner().invoke(wordvec_main, ["train", "c.txt", "-o", "v.bin", "--workers",
                                               value])
    assert result.exit_code == 2 and "is not a number of workers" in result.output
