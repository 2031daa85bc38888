"""The README's and the docs' examples run as written: each page's toolkit commands in order,
then its Python blocks, in one folder (a page's Python may read what its commands wrote)."""
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
COMMANDS = ("corpora", "wordvec", "charlm")
NEEDS_NETWORK = re.compile(r"fetch (?!--list)")


def blocks(page, language):
    return re.findall(rf"```{language}\n(.*?)```", page.read_text(), flags=re.S)


def shell_lines(page):
    """The toolkit commands of a page's bash blocks, in order, except downloads."""
    lines = [line for block in blocks(page, "bash") for line in block.splitlines()]
    return [line for line in lines
            if line.split(" ", 1)[0] in COMMANDS and not NEEDS_NETWORK.search(line)]


def test_every_page_has_examples():
    assert {page.name for page in PAGES} >= {"README.md", "wordvec.md", "charlm.md",
                                             "corpora.md", "nn.md"}
    for page in PAGES:
        if page.name != "performance.md":
            assert shell_lines(page) or blocks(page, "python"), page.name


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_examples_run(page, tmp_path, monkeypatch, toolkit_env):
    monkeypatch.chdir(tmp_path)
    for line in shell_lines(page):
        command, *args = shlex.split(line, comments=True)
        entry = f"import sys; from {command}.cli import main; sys.argv[0] = {command!r}; main()"
        result = subprocess.run([sys.executable, "-c", entry, *args],
                                capture_output=True, text=True, env=toolkit_env)
        assert result.returncode == 0, f"{page.name}: {line}\n{result.stderr}"
    for block in blocks(page, "python"):
        exec(compile(block, str(page), "exec"), {})
