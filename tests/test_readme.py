"""The README's examples run as written."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
COMMANDS = ("corpora", "wordvec", "charlm")
NEEDS_NETWORK = re.compile(r"fetch (?!--list)")


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(), flags=re.S)


def shell_lines():
    lines = [line for block in blocks("bash") for line in block.splitlines()]
    return [line for line in lines if line.split(" ", 1)[0] in COMMANDS]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_python_examples_run(in_tmp):
    assert blocks("python")
    for block in blocks("python"):
        exec(compile(block, str(README), "exec"), {})


def test_shell_examples_run(in_tmp, toolkit_env):
    """Every toolkit command in the README's bash blocks, in order, except downloads."""
    lines = [line for line in shell_lines() if not NEEDS_NETWORK.search(line)]
    assert lines
    for line in lines:
        command, *args = shlex.split(line, comments=True)
        entry = f"import sys; from {command}.cli import main; sys.argv[0] = {command!r}; main()"
        result = subprocess.run([sys.executable, "-c", entry, *args],
                                capture_output=True, text=True, env=toolkit_env)
        assert result.returncode == 0, f"{line}\n{result.stderr}"
