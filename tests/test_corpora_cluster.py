"""Corpora on a Dask cluster of worker processes: the same counts, vocabulary and statistics
as one machine reading the same files."""
import gzip
import io
import sys
from dataclasses import asdict

import numpy as np
import pytest
from click.testing import CliRunner

from corpora import (
    ENGLISH_CONNECTOR_WORDS,
    Phrases,
    Tokenizer,
    Vocab,
    encoded,
    load_corpus,
    synth,
)
from corpora.cli import main
from corpora.corpus import write_sentences
from corpora.tokenize import write_tokens
from npnlp.errors import UserError

pytest.importorskip("distributed")
from corpora import cluster  # noqa: E402
from corpora.cluster import connect, count_corpus, shards  # noqa: E402


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Files of every kind a shard can be: plain ones cut into many byte ranges, a gzip file
    read whole, a last line without its newline, words whose ties span shards."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "a.txt").write_text("\n".join(synth.generate(3000, seed=1)) + "\n")
    (root / "b.txt").write_text("zeta alpha beta\n\n  gamma zeta\nalpha omega" * 200)
    (root / "c.txt.gz").write_bytes(gzip.compress(
        ("\n".join(synth.generate(500, seed=2)) + "\nlast line").encode()))
    return root


def single_machine(source, tokenizer):
    corpus = load_corpus(source, tokenizer, cache=False)
    return corpus.types, corpus.counts.tolist(), corpus.type_ids.size, len(corpus.offsets) - 1, \
        asdict(corpus.stats)


@pytest.mark.parametrize("tokenizer", [Tokenizer(), Tokenizer(sentence_per_line=False),
                                       Tokenizer(lowercase=True, keep_punctuation=True)],
                         ids=["lines", "files-as-sentences", "lowercase-punctuation"])
def test_the_counts_are_one_machines_ties_in_the_same_order(dask_client, folder, tokenizer):
    parts = shards(folder, shard_bytes=4096)
    assert len(parts) > 20
    counts = count_corpus(dask_client, folder, tokenizer, shard_bytes=4096)
    assert (counts.types, counts.counts.tolist(), counts.tokens, counts.sentences,
            asdict(counts.stats)) == single_machine(folder, tokenizer)


def test_shards_cover_each_file_cut_at_line_ends(folder):
    parts = [s for s in shards(folder, shard_bytes=1000) if s.path.endswith("a.txt")]
    data = (folder / "a.txt").read_bytes()
    assert parts[0].start == 0 and parts[-1].end == len(data)
    for before, after in zip(parts, parts[1:]):
        assert before.end == after.start and data[before.end - 1:before.end] == b"\n"
    gz = [s for s in shards(folder, shard_bytes=1000) if s.path.endswith(".gz")]
    assert gz == [gz[0]._replace(start=0, end=None)]      # entered only at its start


@pytest.mark.parametrize("command", ["vocab", "tokenize"])
def test_the_command_writes_one_machines_file(folder, tmp_path, toolkit_env, command):
    runner = CliRunner()
    here = runner.invoke(main, [command, str(folder), "-o", str(tmp_path / "here.txt"),
                                "--no-cache", "-q"])
    there = runner.invoke(main, [command, str(folder), "-o", str(tmp_path / "there.txt"),
                                 "--dask", "local:2", "-q"])
    assert here.exit_code == there.exit_code == 0, there.output
    assert (tmp_path / "here.txt").read_bytes() == (tmp_path / "there.txt").read_bytes()


def test_streams_and_bad_addresses_are_refused(dask_client):
    with pytest.raises(UserError, match="stream"):
        count_corpus(dask_client, "-", Tokenizer())
    with pytest.raises(UserError, match="local:N"), connect("local:zero"):
        pass


def test_without_dask_the_option_says_what_to_install(folder, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = CliRunner().invoke(main, ["stats", str(folder), "--dask", "local:2"])
    assert result.exit_code == 1
    assert result.output == 'Error: --dask needs Dask: pip install "numpy-nlp[dask]"\n'


TOKENIZERS = pytest.mark.parametrize(
    "tokenizer", [Tokenizer(), Tokenizer(sentence_per_line=False),
                  Tokenizer(lowercase=True, keep_punctuation=True)],
    ids=["lines", "files-as-sentences", "lowercase-punctuation"])


@TOKENIZERS
def test_tokenized_text_is_one_machines_phrases_joined_or_not(dask_client, folder, tokenizer):
    corpus = load_corpus(folder, tokenizer, cache=False)
    phrases = Phrases(corpus, min_count=3, threshold=5, scoring="word2phrase")
    assert len(phrases)
    for joined in (None, phrases):
        here, there = io.StringIO(), io.StringIO()
        if joined is None:
            write_tokens(folder, here, tokenizer)
        else:
            write_sentences(joined.apply(corpus), here)
        stats = cluster.write_tokens(dask_client, folder, there, tokenizer, joined,
                                     shard_bytes=4096)
        assert there.getvalue() == here.getvalue()
        assert asdict(stats) == asdict(corpus.stats)


@TOKENIZERS
def test_encoded_shards_put_together_are_one_machines_encoding(dask_client, folder, tokenizer):
    corpus = load_corpus(folder, tokenizer, cache=False)
    for vocab in (Vocab.from_counts(corpus.types, corpus.counts, min_count=20),
                  Vocab.from_counts(corpus.types, corpus.counts, min_count=20, unk="<unk>")):
        here = corpus.encode(vocab)
        parts = cluster.encode_corpus(dask_client, folder, tokenizer, vocab, shard_bytes=4096)
        assert len(parts) > 20 or not tokenizer.sentence_per_line
        there = encoded.concatenate(dask_client.gather(parts))
        assert there.ids.dtype == np.int32 and there.offsets.dtype == np.int64
        assert np.array_equal(there.ids, here.ids)
        assert np.array_equal(there.offsets, here.offsets)


@TOKENIZERS
def test_a_corpus_encoded_into_a_folder_is_one_machines(dask_client, folder, tokenizer, tmp_path):
    """The folder `corpora encode --dask` writes holds one machine's whole vocabulary, and
    its shards in any smaller one are that vocabulary's encoding of the text."""
    corpus = load_corpus(folder, tokenizer, cache=False)
    whole = Vocab.from_counts(corpus.types, corpus.counts)
    cluster.save_encoded(dask_client, folder, tokenizer, tmp_path / "there", 4096)
    _, saved, read_with, prefixes, stats, _ = encoded.load(tmp_path / "there")
    assert saved.index_to_key == whole.index_to_key
    assert np.array_equal(saved.counts, whole.counts)
    assert read_with == tokenizer and asdict(stats) == asdict(corpus.stats)
    assert len(prefixes) > 20 or not tokenizer.sentence_per_line
    for min_count in (1, 20):
        V = len(Vocab.from_counts(corpus.types, corpus.counts, min_count))
        here = corpus.encode(Vocab.from_counts(corpus.types, corpus.counts, min_count))
        there = encoded.concatenate([encoded.load_shard(p, V) for p in prefixes])
        assert np.array_equal(there.ids, here.ids)
        assert np.array_equal(there.offsets, here.offsets)
    with pytest.raises(UserError, match="holds files"):
        encoded.check_target(tmp_path / "there")


@TOKENIZERS
def test_phrases_join_on_the_workers_as_here(dask_client, folder, tokenizer, tmp_path):
    """Counted and encoded with phrases joined on the workers: one machine's joined corpus,
    its ties in the same order."""
    corpus = load_corpus(folder, tokenizer, cache=False)
    phrases = Phrases(corpus, min_count=3, threshold=5, scoring="word2phrase")
    joined = phrases.apply(corpus)
    assert len(joined.types) > len(corpus.types)
    counts = count_corpus(dask_client, folder, tokenizer, 4096, phrases)
    assert counts.types == joined.types and counts.counts.tolist() == joined.counts.tolist()
    cluster.save_encoded(dask_client, folder, tokenizer, tmp_path / "e", 4096, phrases)
    saved = encoded.load(tmp_path / "e")
    assert saved.phrases == phrases.key()
    here = joined.encode(saved.vocab)
    there = encoded.concatenate([encoded.load_shard(p) for p in saved.prefixes])
    assert np.array_equal(there.ids, here.ids) and np.array_equal(there.offsets, here.offsets)


@pytest.mark.parametrize("args,message", [
    (["-", "-o", "out.txt"], "is a stream"),
    (["empty.txt", "-o", "out.txt"], "empty.txt is empty"),
    (["folder", "-o", "out.txt", "--dask", "local:0"], "say local:N"),
])
def test_tokenize_on_a_cluster_refuses_bad_input_in_one_line(args, message, tmp_path,
                                                              monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("a b\n")
    args = args if "--dask" in args else args + ["--dask", "local:1"]
    result = CliRunner().invoke(main, ["tokenize", *args])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert message in result.output and not (tmp_path / "out.txt").exists()


@pytest.mark.parametrize("settings", [
    {"min_count": 3, "threshold": 5, "scoring": "word2phrase"},
    {"min_count": 2, "threshold": 0.3, "scoring": "npmi", "passes": 2,
     "connector_words": ENGLISH_CONNECTOR_WORDS},
    {"min_count": 5, "threshold": 1, "scoring": "default", "passes": 2},
], ids=["word2phrase", "npmi-connectors-2-passes", "default-2-passes"])
@TOKENIZERS
def test_phrases_are_one_machines(dask_client, folder, tokenizer, settings):
    here = Phrases(load_corpus(folder, tokenizer, cache=False), **settings)
    phrase_settings = Phrases(**{k: v for k, v in settings.items() if k != "passes"}).settings
    tables, stats = cluster.learn_phrases(dask_client, folder, tokenizer, phrase_settings,
                                          settings.get("passes", 1), 4096)
    assert len(here) and len(tables) == settings.get("passes", 1)
    assert [asdict(t) for t in tables] == [asdict(t) for t in here.passes]
    assert asdict(stats) == asdict(load_corpus(folder, tokenizer, cache=False).stats)


def test_phrases_command_writes_the_same_file(folder, tmp_path):
    runner = CliRunner()
    args = ["phrases", str(folder), "--passes", "2", "--connectors", "english", "-q"]
    here = runner.invoke(main, [*args, "-o", str(tmp_path / "here.txt"), "--no-cache"])
    there = runner.invoke(main, [*args, "-o", str(tmp_path / "there.txt"), "--dask", "local:2"])
    assert here.exit_code == there.exit_code == 0, there.output
    assert (tmp_path / "here.txt").read_bytes() == (tmp_path / "there.txt").read_bytes()


@pytest.mark.parametrize("args,message", [
    (["-"], "is a stream"),
    (["folder", "--scoring", "npmi", "--threshold", "2"], "npmi scores lie in [-1, 1]"),
    (["folder", "--min-count", "50"], "no pair of folder scores above"),
])
def test_phrases_on_a_cluster_refuse_bad_input_in_one_line(args, message, tmp_path,
                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("new york is new york\n" * 10)
    result = CliRunner().invoke(main, ["phrases", *args, "-o", "out.txt", "--dask", "local:1"])
    assert result.exit_code == 1 and result.output.count("\n") == 1, result.output
    assert message in result.output and not (tmp_path / "out.txt").exists()
