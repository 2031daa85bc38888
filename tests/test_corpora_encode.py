"""A corpus encoded once into a folder (`corpora encode`) trains as its text does, for any
vocabulary size, and is refused where text is read."""
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from corpora import Phrases, Tokenizer, encoded
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
    assert len(encoded.load(folder).prefixes) > 3
    from_text, _ = fit(synth_corpus[0], config, Tokenizer(), cache=False)
    from_folder, _ = fit(folder, config, Tokenizer())
    assert from_folder.words == from_text.words
    assert np.array_equal(from_folder.input.W.data, from_text.input.W.data)


@pytest.mark.parametrize("command,message", [
    (["corpora", "stats", "{folder}"], "holds a corpus `corpora encode` wrote"),
    (["corpora", "encode", "{text}", "-o", "{folder}"], "holds files"),
    (["corpora", "encode", "{text}", "-o", "{tmp}/missing/out"], "no such folder"),
    (["corpora", "encode", "{text}", "-o", "{text}"], "encode writes a folder"),
    (["wordvec", "train", "{folder}", "-o", "{tmp}/v.txt", "--lowercase"],
     "tokenizer options do not apply"),
])
def test_misuse_is_one_line(synth_corpus, folder, tmp_path, command, message):
    cli = {"corpora": corpora_main, "wordvec": wordvec_main}[command[0]]
    args = [a.format(folder=folder, text=synth_corpus[0], tmp=tmp_path) for a in command[1:]]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def _first_shard(folder):
    return sorted(folder.glob("shard-*.ids.npy"))[0]


def _cut_vocabulary(folder):
    lines = (folder / "vocab.txt").read_text().splitlines(keepends=True)
    (folder / "vocab.txt").write_text("".join(lines[:100]))


def _negative_id(folder):
    path = _first_shard(folder)
    ids = np.load(path)
    ids[3] = -3
    np.save(path, ids)


DAMAGE = {
    "a shard missing": lambda f: [p.unlink() for p in f.glob(_first_shard(f).name[:11] + "*")],
    "the vocabulary cut": _cut_vocabulary,
    "a shard cut short": lambda f: _first_shard(f).write_bytes(_first_shard(f).read_bytes()[:500]),
    "offsets not an array": lambda f: next(f.glob("shard-*.offsets.npy")).write_text("garbage"),
    "a negative id": _negative_id,
    "its token count edited": lambda f: (f / "encoded.json").write_text(
        (f / "encoded.json").read_text().replace('"tokens": ', '"tokens": 1')),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_folder_is_refused_in_one_line(folder, tmp_path, damage):
    """A folder that is not whole never trains on part of the corpus, nor fails with a
    traceback."""
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    damage(copy)
    result = CliRunner().invoke(wordvec_main, ["train", str(copy), "-o", str(tmp_path / "v.txt"),
                                               "--dim", "8", "--epochs", "1", "-q"])
    assert result.exit_code == 1 and "damaged" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_encode_cut_short_is_neither_left_nor_read_as_text(synth_corpus, folder, tmp_path,
                                                              monkeypatch):
    def interrupted(*args, **kwargs):
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "shard-00000.ids.npy").write_bytes(b"\0" * 100)
        raise KeyboardInterrupt
    monkeypatch.setattr(encoded, "save", interrupted)
    result = CliRunner().invoke(corpora_main, ["encode", str(synth_corpus[0]), "-o",
                                               str(tmp_path / "out")])
    assert result.exit_code == 130 and not (tmp_path / "out").exists()
    leftover = tmp_path / "leftover"
    shutil.copytree(folder, leftover)
    (leftover / "encoded.json").unlink()
    result = CliRunner().invoke(corpora_main, ["stats", str(leftover)])
    assert result.exit_code == 1 and "cut short" in result.output


def test_phrases_joined_when_encoding_train_as_on_the_text(synth_corpus, tmp_path):
    phrases_file, out = tmp_path / "phrases.txt", tmp_path / "joined"
    for args in (["phrases", str(synth_corpus[0]), "-o", str(phrases_file)],
                 ["encode", str(synth_corpus[0]), "-o", str(out), "--phrases", str(phrases_file)]):
        result = CliRunner().invoke(corpora_main, args)
        assert result.exit_code == 0, result.output
    config = TrainConfig(dim=16, epochs=1)
    from_text, _ = fit(synth_corpus[0], config, Tokenizer(), phrases=Phrases.load(phrases_file))
    from_folder, _ = fit(out, config, Tokenizer())
    assert any("_" in w for w in from_folder.words) and from_folder.words == from_text.words
    assert np.array_equal(from_folder.input.W.data, from_text.input.W.data)
