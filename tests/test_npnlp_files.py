"""The npnlp.files conventions corpora writes by: atomic writes that fit any file name,
standard output for '-', and the clean-up of what a killed writer leaves."""
import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from corpora.cli import main
from npnlp.errors import UserError
from npnlp.files import STALE_AFTER, atomic_write, check_folder, output_lock

LONGEST_NAME = "語" * 85  # 255 bytes of UTF-8: the longest name most file systems take


def test_atomic_write_takes_the_longest_name_the_file_system_takes(tmp_path):
    with atomic_write(tmp_path / LONGEST_NAME) as f:
        f.write("text")
    assert [p.name for p in tmp_path.iterdir()] == [LONGEST_NAME]


def test_cli_writes_to_the_longest_name(tmp_path):
    (tmp_path / "in.txt").write_text("some words")
    result = CliRunner().invoke(main, ["tokenize", str(tmp_path / "in.txt"),
                                       "-o", str(tmp_path / LONGEST_NAME)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / LONGEST_NAME).read_text() == "some words\n"


KILLED_WRITER = """
import os, signal, sys
from npnlp.files import STALE_AFTER, atomic_write
with atomic_write(sys.argv[1]) as f:
    f.write("half of it")
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def write_and_get_killed(path, toolkit_env):
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], env=toolkit_env)


def age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_a_killed_writers_temporary_is_removed_once_stale(tmp_path, toolkit_env):
    output = tmp_path / "out.txt"
    write_and_get_killed(output, toolkit_env)
    (leftover,) = tmp_path.iterdir()
    (tmp_path / ".notes.tmp").write_text("the user's own")
    age(tmp_path / ".notes.tmp", 2 * STALE_AFTER)

    with atomic_write(output) as f:  # a temporary this fresh may be a live writer's
        f.write("new")
    assert leftover.exists()
    age(leftover, STALE_AFTER + 60)
    with atomic_write(output) as f:
        f.write("newer")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".notes.tmp", "out.txt"]
    assert output.read_text() == "newer"


def test_dash_writes_utf8_to_standard_output(toolkit_env):
    code = "from npnlp.files import atomic_write\nwith atomic_write('-') as f: f.write('é\\n')"
    result = subprocess.run([sys.executable, "-c", code, "-"], capture_output=True,
                            env={**toolkit_env, "PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "é\n".encode()


def test_dash_path_object_is_a_file_named_dash(tmp_path):
    with atomic_write(tmp_path / "-") as f:
        f.write("a file")
    assert (tmp_path / "-").read_text() == "a file"


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
def test_a_folder_no_file_can_be_made_in_is_refused_before_any_work(tmp_path):
    """Permission bits say root may write in /proc; creating a file there fails. The check
    tries, so a job is refused at its start rather than when it saves."""
    with pytest.raises(UserError, match="cannot write in folder /proc"):
        check_folder("/proc")
    check_folder(tmp_path)
    assert list(tmp_path.iterdir()) == []          # the probe leaves nothing behind


def test_an_output_lock_refuses_a_second_holder_until_released(tmp_path):
    out = tmp_path / "vectors.bin"
    with output_lock(out):
        assert (tmp_path / "vectors.bin.lock").read_text() == f"{os.getpid()}\n"
        with pytest.raises(UserError, match=f"another run \\(process {os.getpid()}\\) is "
                                            f"writing {out}"):
            with output_lock(out):
                pass
    assert list(tmp_path.iterdir()) == []
    with output_lock(tmp_path / LONGEST_NAME):   # a lock beside the longest name fits too
        assert len(list(tmp_path.iterdir())) == 1


def test_a_lock_held_by_a_killed_process_is_taken(tmp_path):
    """SIGKILL leaves the lock file behind, but the operating system releases the lock."""
    out = tmp_path / "model.npz"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\n"
                               "from npnlp.files import output_lock\n"
                               f"with output_lock({str(out)!r}):\n"
                               "    print('locked', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert holder.stdout.readline() == "locked\n"
    with pytest.raises(UserError, match="another run"):
        with output_lock(out):
            pass
    holder.kill()
    holder.wait()
    assert (tmp_path / "model.npz.lock").exists()
    with output_lock(out):
        pass


def test_a_write_that_fails_names_the_file_not_its_temporary(tmp_path):
    import errno
    with pytest.raises(OSError) as failed:
        with atomic_write(tmp_path / "out.txt"):
            raise OSError(errno.ENOSPC, "No space left on device")   # as a full disk does
    assert failed.value.filename == str(tmp_path / "out.txt") and not list(tmp_path.iterdir())
