"""A corpus encoded once into a folder (`corpora encode`) trains as its text does, for any
vocabulary size, and is refused where text is read."""
import numpy as np
import pytest
from click.testing import CliRunner

from corpora import Tokenizer, encoded
from corpora.cli import main as corpora_main
from wordvec.cli import main as wordvec_main
from wordvec.config import TrainConfig
from wordvec.run import fit


@pytest.fixture(scope="module")
def folder(synth_corpus, tmp_path_factory):
    """The synthetic corpus encoded by the command line, in shards of 5,000 tokens."""
    out = tmp_path_factory.mktemp("encoded") / "synth"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(encoded, "SHARD_TOKENS", 5000)
        result = CliRunner().invoke(corpora_main, ["encode", str(synth_corpus[0]), "-o",
                                                   str(out), "-q"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("min_count", [1, 20])
def test_training_on_the_folder_gives_the_texts_vectors(synth_corpus, folder, min_count):
    config = TrainConfig(dim=16, epochs=1, min_count=min_count)
    assert len(encoded.load(folder)[2]) > 3
    from_text, _ = fit(synth_corpus[0], config, Tokenizer(), cache=False)
    from_folder, _ = fit(folder, config, Tokenizer())
    assert from_folder.words == from_text.words
    assert np.array_equal(from_folder.input.W.data, from_text.input.W.data)


@pytest.mark.parametrize("command,message", [
    (["corpora", "stats", "{folder}"], "holds a corpus `corpora encode` wrote"),
    (["corpora", "encode", "{text}", "-o", "{folder}"], "holds files"),
    (["corpora", "encode", "{text}", "-o", "{tmp}/missing/out"], "no such folder"),
    (["wordvec", "train", "{folder}", "-o", "{tmp}/v.txt", "--lowercase"],
     "tokenizer options do not apply"),
])
def test_misuse_is_one_line(synth_corpus, folder, tmp_path, command, message):
    cli = {"corpora": corpora_main, "wordvec": wordvec_main}[command[0]]
    args = [a.format(folder=folder, text=synth_corpus[0], tmp=tmp_path) for a in command[1:]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1
