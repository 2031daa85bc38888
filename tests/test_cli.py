"""Every console script answers --help and --version."""
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
