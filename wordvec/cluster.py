"""word2vec on a Dask cluster, negative sampling (skip-gram and CBOW), with every row of the
two tables owned by one worker at a time: nothing is averaged and nothing is stale.

This is the blocked rotation proposed for Spark MLlib (apache/spark PR 37967). With K
workers, word w's input and output rows are in block w % K (ids are ranked by frequency, so
every block gets its share of the frequent words). An epoch's windows are drawn as on one
machine (the same blocks and seeds: the same subsampling and window widths) and cut into
K x K buckets by (block of the context word, block of the centre). The epoch goes slice by
slice of the corpus, each in K rounds: in round r, worker i trains bucket (i, (i + r) mod K)
on its input block i and output block (i + r) mod K with the single machine's kernel
(`Word2VecNet.backprop`), drawing its noise words from that output block, and passes the
output block on. The learning rate follows the count of words done by all workers, as on
one machine.

CBOW's context is cut the same way: a centre is predicted from the mean of its context words
of each input block apart (smaller bags); with K = 1 it is CBOW exactly. Hierarchical
softmax and the exact softmax are refused (`check_config`).

The model stays whole on this machine between epochs: it is checkpointed at each epoch end,
Ctrl-C saves the epoch's start, and a worker lost mid-epoch costs that epoch's work (it is
trained again, on the workers left), not the run. Dask is optional, imported only here.
"""
import time
import warnings
from dataclasses import dataclass, replace
from operator import getitem
from typing import NamedTuple

import numpy as np

import nn
from npnlp.errors import Advice, UserError
from npnlp.interrupt import stop_on_ctrl_c
from npnlp.progress import progress_bar
from npnlp.training import Diverged, Interrupted, exploded
from wordvec.batches import Windows, block_size, blocks, keep_probabilities, steps, windows
from wordvec.model import Word2VecNet
from wordvec.train import MAX_ROW_REPEATS, TrainState, widest_window

# An epoch is PARTS_PER_WORKER slices of K corpus parts (one a worker), each trained in K
# rounds: the more slices, the sooner every block has met every other. One epoch of the text8
# head, K = 2 (analogy / WS-353): 1 slice .006 / .159, 4 slices .010 / .192, 16 slices
# .011 / .241; one machine .014 / .260.
PARTS_PER_WORKER = 16
RETRIES = 3            # epochs tried again after losing workers, before giving up


def check_config(config):
    """Raise UserError for the settings the rotation cannot train."""
    if config.loss == "hierarchical":
        raise UserError("--dask trains --loss negative only: every hierarchical-softmax path "
                        "goes through the root of the Huffman tree, so its output rows "
                        "cannot be split among workers without averaging or stale reads")
    if config.loss == "softmax":
        raise UserError("--dask trains --loss negative only: the exact softmax updates every "
                        "output row at every step, so no worker can own a part of them")
    if config.subwords:
        raise UserError("--dask does not train --subwords: a character n-gram's row is shared "
                        "by words of every block")


class Part(NamedTuple):
    """Consecutive training blocks of the corpus, held by one worker."""

    ids: np.ndarray   # the blocks' token ids
    starts: list      # each block's sentence starts and end, positions in `ids`
    first: int        # the corpus-wide index of its first block (its draws' seed)


@dataclass
class ClusterTimes:
    """Where an epoch's time went, summed over epochs: wall time, and the seconds the
    workers spent training (all of them together)."""

    wall: float = 0.0
    training: float = 0.0
    rounds: int = 0
    retries: int = 0   # epochs trained again after losing workers


def train_on_cluster(client, model, ids, offsets, state=None, progress=False,
                     on_epoch_end=None, stop=None, times=None):
    """`wordvec.train.train` on the workers of a Dask `client`: the same arguments, the same
    TrainState (a run can be resumed here or on one machine at an epoch's end). `times`, a
    ClusterTimes, is filled in if given."""
    config = model.config
    check_config(config)
    state = state or TrainState()
    if state.done or state.partial:
        raise UserError(f"the checkpoint is partway through epoch {state.epoch + 1}, which a "
                        f"cluster cannot continue: resume it without --dask to the epoch's "
                        f"end, then with --dask")
    cut = blocks(offsets, block_tokens=block_size(offsets))
    state.block_tokens = block_size(offsets)
    step = replace(config, workers=1).step_size(len(model.words), model.rows_per_centre)
    rotation = _Rotation(client, model, ids, offsets, cut, step,
                         times if times is not None else ClusterTimes())
    with stop_on_ctrl_c() as ctrl_c, progress_bar(config.epochs * len(ids), "word",
                                                  progress) as bar:
        bar.update(state.words)
        while state.epoch < config.epochs:
            loss, pairs = rotation.epoch(state, stop or ctrl_c, bar)
            if not pairs:
                raise UserError("the corpus gave no (context, centre) pair to train on: it is "
                                "too small after subsampling (lower --sample or --min-count)")
            state.words += len(ids)
            state.epoch_loss.append(loss / pairs)
            state.epoch_pairs.append(pairs)
            state.epoch += 1
            bar.update(state.words - bar.n)
            if on_epoch_end:
                on_epoch_end(model, state)
    return state


class _Rotation:
    """A run's epochs on the cluster: the corpus parts scattered to the workers once (again
    after a loss), each epoch's tables sent out in blocks and gathered back."""

    def __init__(self, client, model, ids, offsets, cut, step, times):
        self.client, self.model, self.config, self.times = client, model, model.config, times
        self.n_words, self.step = len(ids), step
        self.window = widest_window(self.config, offsets)
        self.keep = keep_probabilities(model.counts, self.config.sample)
        self.corpus = (ids, cut)
        self.parts = None

    def epoch(self, state, stop, bar):
        """Train one epoch into the model; (summed loss, pairs). Workers lost on the way
        cost the epoch, tried again on the workers left, up to RETRIES times."""
        from distributed import CancelledError
        from distributed.comm import CommClosedError
        from distributed.scheduler import KilledWorker
        for attempt in range(RETRIES + 1):
            try:
                return self._epoch(state, stop, bar)
            except (CancelledError, KilledWorker, CommClosedError) as lost:
                self.parts = None                  # scattered again, to the workers left
                if attempt == RETRIES:
                    raise UserError(f"the cluster lost workers {RETRIES + 1} times in epoch "
                                    f"{state.epoch + 1} ({type(lost).__name__}); the run is "
                                    f"saved at the end of epoch {state.epoch}") from None
                self.times.retries += 1
                warnings.warn(f"the cluster lost a worker in epoch {state.epoch + 1} "
                              f"({type(lost).__name__}): training the epoch again",
                              Advice, stacklevel=2)
                bar.update(state.words - bar.n)

    def _epoch(self, state, stop, bar):
        client, config = self.client, self.config
        workers = sorted(client.scheduler_info()["workers"])
        K = len(workers)
        if not workers:
            raise UserError("the Dask cluster has no workers")
        start = time.perf_counter()
        if self.parts is None:
            parts = _parts(*self.corpus, K)
            self.parts = client.scatter(parts, hash=False)
            self.part_words = [len(p.ids) for p in parts]
        keep = client.scatter(self.keep, broadcast=True, hash=False)
        W_in = [self._send(self.model.input.W.data[i::K], w) for i, w in enumerate(workers)]
        W_out = [self._send(self.model.output.W.data[j::K], w) for j, w in enumerate(workers)]
        counts = [self._send(self.model.counts[j::K], w) for j, w in enumerate(workers)]
        total, done, results = config.epochs * self.n_words, state.words, []
        for first in range(0, len(self.parts), K):    # a slice: K parts, trained in K rounds
            buckets = [client.submit(bucket_part, p, keep, self.window, config.seed,
                                     state.epoch, K, pure=False)
                       for p in self.parts[first:first + K]]
            words = sum(self.part_words[first:first + K])
            for r in range(K):
                span = [done + r * words // K, done + (r + 1) * words // K]
                for i in range(K):
                    j = (i + r) % K
                    pieces = [client.submit(getitem, b, i * K + j, pure=False) for b in buckets]
                    t = client.submit(train_bucket, config, W_in[i], W_out[j], counts[j],
                                      pieces, self.step, span, total,
                                      [config.seed, state.epoch, first, i, j],
                                      workers=[workers[i]], allow_other_workers=True,
                                      pure=False)
                    W_in[i] = client.submit(getitem, t, 0, pure=False)
                    W_out[j] = client.submit(getitem, t, 1, pure=False)
                    results.append((client.submit(getitem, t, 2, pure=False), words // K ** 2))
            done += words
        figures = self._wait(results, state, stop, bar)
        for i, (a, b) in enumerate(zip(client.gather(W_in), client.gather(W_out))):
            self.model.input.W.data[i::K] = a
            self.model.output.W.data[i::K] = b
        self.times.wall += time.perf_counter() - start
        self.times.training += sum(f.seconds for f in figures)
        self.times.rounds += K
        return sum(f.loss for f in figures), sum(f.pairs for f in figures)

    def _send(self, array, worker):
        return self.client.scatter(np.ascontiguousarray(array), workers=[worker], hash=False)

    def _wait(self, results, state, stop, bar):
        """The Figures of `results`, (future, a bucket's share of the words) pairs, as they
        end, with the progress bar moved on; Ctrl-C cancels
        the epoch (Interrupted, with the state at its start) and a diverged bucket ends it
        (Diverged)."""
        from distributed import wait
        share = dict(results)
        results = list(share)
        pending, figures = set(results), []
        loss = pairs = 0.0
        while pending:
            try:
                done, pending = wait(pending, timeout=0.2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            if stop():
                self.client.cancel(results)
                raise Interrupted(state)
            for f in done:
                figure = f.result()
                if figure.diverged_lr:
                    self.client.cancel(results)
                    raise Diverged(f"the training loss became {figure.diverged_loss:.4g} per "
                                   f"prediction in epoch {state.epoch + 1} (learning rate "
                                   f"{figure.diverged_lr:.3g})", "try a smaller --alpha")
                figures.append(figure)
                loss, pairs = loss + figure.loss, pairs + figure.pairs
                bar.update(share[f])
                bar.set_postfix(epoch=state.epoch + 1, loss=f"{loss / max(pairs, 1):.4f}",
                                refresh=False)
        return figures


def _parts(ids, cut, K):
    """The corpus's training blocks `cut` in PARTS_PER_WORKER x K parts of consecutive
    blocks (fewer if there are fewer blocks)."""
    n = min(len(cut), PARTS_PER_WORKER * K)
    bounds = np.linspace(0, len(cut), n + 1).astype(int)
    parts = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        origin = cut[a][0]
        parts.append(Part(ids[origin:cut[b - 1][-1]], [s - origin for s in cut[a:b]], int(a)))
    return parts


def bucket_part(part, keep, window, seed, epoch, K):
    """A part's windows, drawn block by block as one machine draws them, cut into K x K
    buckets: bucket i K + j holds, for each block, the centres of output block j with their
    context words of input block i, each word's id its row in its block (w // K), each
    window's context words first."""
    buckets = [[] for _ in range(K * K)]
    for b, s in enumerate(part.starts, part.first):
        w = windows(part.ids[s[0]:s[-1]], s - s[0], keep, window,
                    np.random.default_rng([seed, epoch, b]))
        out_block, in_block = w.centres % K, w.contexts % K
        for i in range(K):
            mask = w.mask & (in_block == i)
            has = mask.any(axis=1)
            for j in range(K):
                rows = has & (out_block == j)
                buckets[i * K + j].append(_packed(Windows(w.centres[rows] // K,
                                                          w.contexts[rows] // K, mask[rows])))
    return buckets


def _packed(w):
    """Windows with each window's context words moved first, the columns no window uses
    dropped (a block's words are a few of a window's), and masked places 0."""
    order = np.argsort(~w.mask, axis=1, kind="stable")
    mask = np.take_along_axis(w.mask, order, axis=1)
    width = int(mask.sum(axis=1).max(initial=0))
    contexts = np.take_along_axis(w.contexts, order, axis=1)[:, :width]
    contexts *= mask[:, :width]          # another block's word would index past this one's
    return Windows(w.centres, contexts, mask[:, :width])


class Figures(NamedTuple):
    """What training a bucket reports back."""

    loss: float
    pairs: int
    seconds: float
    diverged_lr: float = 0.0
    diverged_loss: float = 0.0


def train_bucket(config, input_rows, output_rows, counts, pieces, step, words, total, seed):
    """Train a bucket's windows (`pieces`: per corpus part, per block) on an input block and an
    output block (`counts`: its words' counts, for the noise words), the learning rate
    falling from words[0] to words[1] of `total` words over the bucket. Returns the two
    blocks trained, and the Figures."""
    start = time.perf_counter()
    net = _block_net(config, counts, input_rows.copy(), output_rows.copy())
    opt = nn.SGD(net, lr=config.alpha, max_row_repeats=MAX_ROW_REPEATS)
    alpha = nn.LinearDecay(config.alpha, total + 1, config.min_alpha)
    blocks_ = [w for piece in pieces for w in piece]     # in corpus order
    rng = np.random.default_rng(seed)
    n, done, loss_sum, pairs_sum = sum(len(w.centres) for w in blocks_), 0, 0.0, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for windows_ in (s for w in blocks_ for s in steps(w, step, by_count=config.sg)):
            opt.lr = alpha(words[0] + (words[1] - words[0]) * done / n)
            opt.zero_grad()
            loss, pairs = net.backprop(windows_, rng)
            if exploded(loss, net.untrained_loss * pairs):
                figures = Figures(loss_sum, pairs_sum, time.perf_counter() - start, opt.lr,
                                  loss / max(pairs, 1))
                return input_rows, output_rows, figures
            opt.step()
            done += len(windows_.centres)
            loss_sum, pairs_sum = loss_sum + loss, pairs_sum + pairs
    figures = Figures(loss_sum, pairs_sum, time.perf_counter() - start)
    return net.input.W.data, net.output.W.data, figures


def _block_net(config, counts, input_rows, output_rows):
    """A Word2VecNet on one input block and one output block (of `counts`' words)."""
    net = Word2VecNet(config, [""] * len(counts), counts)
    net.input.W = nn.Parameter(input_rows, sparse=True)
    net.output.W = nn.Parameter(output_rows, sparse=True)
    return net
