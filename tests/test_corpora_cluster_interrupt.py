"""Ctrl-C and kill -9 of `corpora --dask local:N`, in real processes: the terminal's SIGINT
(sent to the whole foreground process group) gives our one line and exit 130, whether the
local cluster is starting or working, a cluster lost midway one error line, and no process
of the cluster outlives the run."""
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager

import pytest

from corpora import synth

pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

ENTRY = "import sys; from corpora.cli import main; sys.argv[0] = 'corpora'; main()"


@pytest.fixture(scope="module")
def big_file(tmp_path_factory):
    """A text that takes a worker seconds to count: 40 MB, one shard."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    text = "\n".join(synth.generate(20_000, seed=3)) + "\n"
    path.write_text(text * 50)
    return path


@contextmanager
def running(big_file, toolkit_env):
    """`corpora stats BIG --dask local:2` as a terminal runs it: in a process group of its
    own, as the foreground job is; every process it starts carries the mark yielded with
    it. Killed if a test leaves it running."""
    mark = uuid.uuid4().hex
    env = {**toolkit_env, "NPNLP_TEST_MARK": mark}
    run = subprocess.Popen([sys.executable, "-c", ENTRY, "stats", str(big_file), "--dask",
                            "local:2", "--no-cache"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        yield run, mark
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()


def marked(mark, command=""):
    """The processes carrying `mark` whose command line holds `command`."""
    found = []
    for p in psutil.process_iter(["cmdline", "environ", "status"]):
        if (p.info["environ"] or {}).get("NPNLP_TEST_MARK") == mark and \
                p.info["status"] != psutil.STATUS_ZOMBIE and \
                command in " ".join(p.info["cmdline"] or []):
            found.append(p)
    return found


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert condition()


def ctrl_c(run):
    """The terminal's Ctrl-C: SIGINT to the foreground process group."""
    os.killpg(run.pid, signal.SIGINT)
    out, err = run.communicate(timeout=60)
    return run.returncode, out, err


def test_ctrl_c_while_the_cluster_starts(big_file, toolkit_env):
    with running(big_file, toolkit_env) as (run, mark):
        wait_for(lambda: marked(mark, "corpora.cluster"))
        assert ctrl_c(run) == (130, "", "Interrupted.\n")
        wait_for(lambda: not marked(mark), 15)


def test_ctrl_c_while_the_workers_count(big_file, toolkit_env):
    with running(big_file, toolkit_env) as (run, mark):
        wait_for(lambda: len(marked(mark, "multiprocessing.spawn")) == 2)   # the workers
        time.sleep(1)                                                       # counting
        assert ctrl_c(run) == (130, "", "Interrupted.\n")
        wait_for(lambda: not marked(mark), 15)


def test_a_killed_runs_cluster_stops_too(big_file, toolkit_env):
    with running(big_file, toolkit_env) as (run, mark):
        wait_for(lambda: len(marked(mark, "multiprocessing.spawn")) == 2)
        time.sleep(1)
        run.kill()
        run.communicate()
        wait_for(lambda: not marked(mark), 15)


def test_a_lost_cluster_is_one_error_line(big_file, toolkit_env):
    with running(big_file, toolkit_env) as (run, mark):
        wait_for(lambda: len(marked(mark, "multiprocessing.spawn")) == 2)
        time.sleep(1)
        for process in marked(mark, "corpora.cluster"):
            process.kill()
        out, err = run.communicate(timeout=60)
        assert (run.returncode, out) == (1, "")
        assert err.count("\n") == 1 and err.startswith((   # killed working, or still starting
            "Error: the Dask cluster at local:2 failed: ",
            "Error: the local Dask cluster did not start")), err
        wait_for(lambda: not marked(mark), 15)
