"""word2vec on a Dask cluster of worker processes (the blocked rotation, wordvec/cluster.py):
it learns what one machine learns, its runs are reproducible, a lost worker costs a slice at
most and a Ctrl-C the epoch's progress."""
import os
import re
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from corpora import Phrases, Tokenizer, load_corpus, synth
from npnlp.errors import Advice
from npnlp.training import Interrupted
from wordvec.batches import block_size, blocks, keep_probabilities, windows
from wordvec.cli import main
from wordvec.config import TrainConfig
from wordvec.evaluate import evaluate_word_analogies
from wordvec.model import Word2VecNet
from wordvec.run import fit, prepare
from wordvec.train import train

pytest.importorskip("distributed")
from wordvec.cluster import (  # noqa: E402
    ClusterTimes,
    Spread,
    _parts,
    bucket_part,
    read_on_cluster,
    train_on_cluster,
)

LINES = Tokenizer(sentence_per_line=True)


def encoded(corpus, config):
    return prepare(corpus[0], config, LINES)


@pytest.mark.parametrize("K", [1, 3])
def test_the_buckets_hold_each_pair_one_machine_draws_once(synth_corpus, K):
    """Every (context, centre) pair of the single machine's windows, same seeds, lands in
    bucket (block of the context, block of the centre), as rows of those blocks."""
    config = TrainConfig(min_count=3)
    words, counts, ids, offsets = encoded(synth_corpus, config)
    cut = blocks(offsets, block_tokens=block_size(offsets))
    keep = keep_probabilities(counts, config.sample)
    expected, found = [], []
    for b, starts in enumerate(cut):
        w = windows(ids[starts[0]:starts[-1]], starts - starts[0], keep, 5,
                    np.random.default_rng([config.seed, 2, b]))
        expected += zip(w.contexts[w.mask], np.repeat(w.centres, w.mask.sum(axis=1)))
    for part in _parts(ids, cut, 4 * K):
        for bucket, by_block in enumerate(bucket_part(part, keep, 5, config.seed, 2, K)):
            i, j = divmod(bucket, K)
            assert len(by_block) == len(part.starts)
            for w in by_block:
                assert w.contexts.max(initial=0) < len(range(i, len(words), K))   # rows of i
                assert w.centres.max(initial=0) < len(range(j, len(words), K))
                found += zip(w.contexts[w.mask] * K + i,
                             np.repeat(w.centres, w.mask.sum(axis=1)) * K + j)
    assert sorted(found) == sorted(expected)


@pytest.mark.parametrize("sg", [True, False], ids=["skip-gram", "cbow"])
def test_a_corpus_read_on_the_cluster_trains_to_the_planted_analogies(dask_client, synth_corpus,
                                                                      sg):
    """The workers read, count and encode the corpus and keep it: the vocabulary is one
    machine's, and the vectors learn what one machine's learn."""
    config = TrainConfig(sg=sg, dim=32, epochs=5, min_count=3)
    model, state = fit(synth_corpus[0], config, LINES, cluster=dask_client)
    words, counts, ids, _ = encoded(synth_corpus, config)
    assert model.words == words and np.array_equal(model.counts, counts)
    assert state.words == 5 * len(ids)
    assert state.epoch_loss[-1] < 0.7 * state.epoch_loss[0]
    assert evaluate_word_analogies(model.wv, synth_corpus[1]).total.accuracy > 0.8
    assert np.median([model.wv.rank(a, b) for a, b in synth.SIMILAR]) <= 15


def test_a_corpus_encoded_into_a_shared_folder_trains_as_its_text(dask_client, synth_corpus,
                                                                   tmp_path):
    """The workers load the shards `corpora encode --dask` saved, in the run's vocabulary:
    the vectors are those of the run that reads the text."""
    from corpora.cluster import save_encoded
    save_encoded(dask_client, synth_corpus[0], LINES, tmp_path / "encoded")
    config = TrainConfig(dim=16, epochs=2, min_count=20)
    from_text, _ = fit(synth_corpus[0], config, LINES, cluster=dask_client)
    from_folder, _ = fit(tmp_path / "encoded", config, Tokenizer(), cluster=dask_client)
    assert from_folder.words == from_text.words
    assert np.array_equal(from_folder.input.W.data, from_text.input.W.data)


def test_phrases_are_joined_on_the_workers(dask_client, synth_corpus):
    """With --phrases the workers still read the corpus: one machine's joined vocabulary."""
    corpus = load_corpus(synth_corpus[0], LINES, cache=False)
    phrases = Phrases(corpus, min_count=5, threshold=10)
    config = TrainConfig(dim=16, epochs=1, min_count=3)
    words, counts, _, _ = prepare(synth_corpus[0], config, LINES, phrases=phrases)
    assert any("_" in w for w in words)
    model, _ = fit(synth_corpus[0], config, LINES, phrases=phrases, cluster=dask_client)
    assert model.words == words and np.array_equal(model.counts, counts)


class KillAWorker:
    """on_epoch_end and stop for train_on_cluster that kill a worker process once, in the
    middle of the epoch after `epoch`, at the `calls`-th look at whether to stop."""

    def __init__(self, client, epoch, calls):
        self.client, self.epoch, self.armed, self.killed = client, epoch, False, False
        self.calls = calls

    def on_epoch_end(self, model, state):
        self.armed = state.epoch == self.epoch

    def stop(self):
        self.calls -= self.armed
        if self.armed and not self.killed and self.calls <= 0:
            pids = self.client.run(os.getpid)
            os.kill(pids[min(pids)], 9)
            self.killed = True
        return False


@pytest.mark.parametrize("calls", [1, 12], ids=["first-slice", "later-slice"])
def test_a_run_is_reproducible_and_a_lost_worker_costs_its_slice_at_most(dask_client,
                                                                        synth_corpus,
                                                                        calls):
    """Each row has one owner at a time and every bucket its own seed, so the vectors
    depend on the seed and the number of workers only. A worker killed mid-epoch costs at
    most the slice it was training: Dask computes lost results again where their inputs
    survive, else the epoch goes on from the last slice's end (the parts read again, the
    tables' blocks from their copies); either way the vectors are the undisturbed run's."""
    config = TrainConfig(dim=16, epochs=3, min_count=3)
    tables, times = [], ClusterTimes()
    for kill in (None, KillAWorker(dask_client, 1, calls)):
        words, counts, spread = read_on_cluster(dask_client, synth_corpus[0], config, LINES)
        model = Word2VecNet(config, words, counts)
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always", Advice)
            train_on_cluster(dask_client, model, spread, times=times,
                             on_epoch_end=kill and kill.on_epoch_end, stop=kill and kill.stop)
        tables.append((model.input.W.data.copy(), model.output.W.data.copy()))
    dask_client.wait_for_workers(2, timeout=60)   # whole again for the tests that follow
    assert kill.killed and times.retries == len(warned) <= 1
    if warned:   # the loss is found in the epoch of the kill, or the next if it ended first
        epoch, restarted = map(int, re.search(r"lost a worker in epoch (\d+) .* from slice "
                                              r"(\d+)", str(warned[0].message)).groups())
        assert epoch in (2, 3) and restarted >= 1
    assert all(np.array_equal(a, b) for a, b in zip(*tables))


def test_ctrl_c_keeps_the_epochs_start_and_the_run_resumes_here_or_there(dask_client,
                                                                         synth_corpus):
    """Interrupted in epoch 2, the model holds epoch 1's end; resumed on the cluster it ends
    as an uninterrupted run, and a cluster's state also resumes on one machine."""
    config = TrainConfig(dim=16, epochs=3, min_count=3)
    words, counts, ids, offsets = encoded(synth_corpus, config)
    spread = Spread.scatter(dask_client, ids, offsets)     # read here, sent to the workers
    whole = Word2VecNet(config, words, counts)
    train_on_cluster(dask_client, whole, spread)

    model = Word2VecNet(config, words, counts)
    epochs_done = []
    with pytest.raises(Interrupted) as stop:
        train_on_cluster(dask_client, model, spread,
                         on_epoch_end=lambda m, s: epochs_done.append(s.epoch),
                         stop=lambda: bool(epochs_done))
    assert stop.value.state.epoch == 1 and stop.value.state.words == len(ids)
    saved = [p.data.copy() for p in model.parameters()]
    state = train_on_cluster(dask_client, model, spread, state=stop.value.state)
    assert state.epoch == 3 and len(state.epoch_loss) == 3
    assert np.array_equal(model.input.W.data, whole.input.W.data)

    model.load_state_dict(dict(zip(["input.W", "output.W"], saved)))
    state = train(model, ids, offsets, stop.value.state)
    assert state.epoch == 3 and state.epoch_loss[-1] < state.epoch_loss[0]


def test_the_command_line_trains_on_a_local_cluster_and_refuses_what_it_cannot(synth_corpus,
                                                                               tmp_path):
    runner = CliRunner()
    out = tmp_path / "v.txt"
    result = runner.invoke(main, ["train", str(synth_corpus[0]), "-o", str(out), "--dask",
                                  "local:2",
                                  "--min-count", "3", "--dim", "16", "--epochs", "2", "-q"])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("355 16\n")
    result = runner.invoke(main, ["train", "-", "-o", str(out), "--dask", "local:2",
                                  "--min-count", "3", "--dim", "16", "--epochs", "1", "-q"],
                           input=synth_corpus[0].read_text())   # read here, sent to the workers
    assert result.exit_code == 0, result.output
    for flags, message in [(["--loss", "hierarchical"], "every hierarchical-softmax path"),
                           (["--loss", "hierarchical+negative"], "hierarchical-softmax path"),
                           (["--loss", "softmax"], "updates every output row"),
                           (["--subwords"], "n-gram's row is shared"),
                           (["--workers", "2"], "the cluster's workers train")]:
        result = runner.invoke(main, ["train", str(synth_corpus[0]), "-o",
                                      str(tmp_path / "w.txt"),
                                      "--dask", "local:2", *flags])
        assert result.exit_code == 1 and message in result.output
