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

The model comes back whole to this machine at each epoch end, to be checkpointed; Ctrl-C
saves the epoch's start. At each slice's end every block of the tables is copied to a second
worker, so that a worker lost mid-epoch costs the slice it was training, not the epoch.
Dask is optional, imported only here.
"""
import time
import warnings
from dataclasses import dataclass, replace
from operator import getitem
from typing import NamedTuple

import numpy as np

import nn
from corpora import encoded
from corpora.encoded import load_shard
from npnlp.errors import Advice, UserError
from npnlp.interrupt import stop_on_ctrl_c
from npnlp.memory import keep_freed_memory
from npnlp.progress import progress_bar
from npnlp.training import Diverged, Interrupted, exploded
from wordvec.batches import (
    Windows,
    block_size,
    blocks,
    keep_probabilities,
    steps,
    windows,
)
from wordvec.model import Word2VecNet
from wordvec.train import TrainState, widest_window

# An epoch is PARTS_PER_WORKER slices of K corpus parts (one a worker), each trained in K
# rounds: the more slices, the sooner every block has met every other. One epoch of the text8
# head, K = 2 (analogy / WS-353): 1 slice .006 / .159, 4 slices .010 / .192, 16 slices
# .011 / .241; one machine .014 / .260.
PARTS_PER_WORKER = 16
RETRIES = 3            # epochs tried again after losing workers, before giving up
REPLACE_WAIT = 30      # seconds to wait for a lost worker's replacement


def check_config(config):
    """Raise UserError for the settings the rotation cannot train."""
    if config.hierarchical:
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
    first: int        # the index of its first block: block b draws from seed (key..., b)
    key: tuple = ()   # (shard,) for a corpus encoded in shards on the workers


class Spread(NamedTuple):
    """A corpus in Parts on the workers: futures of them in corpus order, their words, the
    longest sentence, and how to send them again after a worker is lost (data Dask held
    only there is gone for good)."""

    parts: list
    part_words: list
    longest: int
    resend: object

    @property
    def words(self):
        return sum(self.part_words)

    @classmethod
    def scatter(cls, client, ids, offsets):
        """A corpus read here, cut in the single machine's blocks (so drawn as there) and
        sent to the workers, PARTS_PER_WORKER parts each."""
        K = max(1, len(client.scheduler_info()["workers"]))
        parts = _parts(ids, blocks(offsets, block_tokens=block_size(offsets)),
                       PARTS_PER_WORKER * K)
        longest = int(np.diff(offsets).max())
        return cls(client.scatter(parts, hash=False), [len(p.ids) for p in parts], longest,
                   lambda: cls.scatter(client, ids, offsets))

    @classmethod
    def encode(cls, client, source, tokenizer, vocab, phrases=None):
        """The corpus at `source` read and encoded in `vocab` on the workers (files at the
        same paths for them; `corpora.cluster.encode_corpus`), the Phrases `phrases` joined
        if given: see `of_shards`."""
        from corpora.cluster import encode_corpus
        return cls.of_shards(client, encode_corpus(client, source, tokenizer, vocab,
                                                   phrases=phrases),
                             lambda: cls.encode(client, source, tokenizer, vocab, phrases))

    @classmethod
    def load(cls, client, prefixes, V):
        """The shards of a corpus `corpora encode` saved (at `prefixes`, on storage the
        workers share) read on the workers in the vocabulary of its first V words: see
        `of_shards`."""
        return cls.of_shards(client, [client.submit(load_shard, p, V, pure=False)
                                      for p in prefixes],
                             lambda: cls.load(client, prefixes, V))

    @classmethod
    def of_shards(cls, client, shards, resend):
        """Futures of a corpus's Encoded shards cut where they are into parts of blocks:
        PARTS_PER_WORKER a worker in all, each shard's share by its words, its blocks the
        single machine's within each shard."""
        K = max(1, len(client.scheduler_info()["workers"]))
        sizes = client.gather([client.submit(_sentences, e, pure=False) for e in shards])
        n_words = sum(n for n, _ in sizes)
        block_tokens = block_size([0, n_words])
        cuts = [client.submit(_shard_parts, e, block_tokens,
                              max(1, round(PARTS_PER_WORKER * K * n / n_words)), key, pure=False)
                for key, (e, (n, _)) in enumerate(zip(shards, sizes)) if n]
        part_words = client.gather([client.submit(_part_words, c, pure=False) for c in cuts])
        parts = [client.submit(getitem, c, i, pure=False)
                 for c, words in zip(cuts, part_words) for i in range(len(words))]
        return cls(parts, [w for words in part_words for w in words],
                   max(longest for _, longest in sizes), resend)


@dataclass
class ClusterTimes:
    """Where an epoch's time went, summed over epochs: wall time, and the seconds the
    workers spent training (all of them together)."""

    wall: float = 0.0
    training: float = 0.0
    rounds: int = 0
    retries: int = 0   # times a lost worker's slice was trained again


def train_on_cluster(client, model, spread, state=None, progress=False, on_epoch_end=None,
                     stop=None, times=None):
    """`wordvec.train.train` on the workers of a Dask `client`, the corpus a Spread there;
    the same TrainState (a run can be resumed here or on one machine at an epoch's end).
    `times`, a ClusterTimes, is filled in if given."""
    config = model.config
    check_config(config)
    state = state or TrainState()
    if state.done or state.partial:
        raise UserError(f"the checkpoint is partway through epoch {state.epoch + 1}, which a "
                        f"cluster cannot continue: resume it without --dask to the epoch's "
                        f"end, then with --dask")
    step = replace(config, workers=1).step_size(len(model.words), model.rows_per_centre)
    rotation = _Rotation(client, model, spread, step,
                         times if times is not None else ClusterTimes())
    with stop_on_ctrl_c() as ctrl_c, progress_bar(config.epochs * spread.words, "word",
                                                  progress) as bar:
        bar.update(state.words)
        while state.epoch < config.epochs:
            loss, pairs = rotation.epoch(state, stop or ctrl_c, bar)
            if not pairs:
                raise UserError("the corpus gave no (context, centre) pair to train on: it is "
                                "too small after subsampling (lower --sample or --min-count)")
            state.words += spread.words
            state.epoch_loss.append(loss / pairs)
            state.epoch_pairs.append(pairs)
            state.epoch += 1
            bar.update(state.words - bar.n)
            if on_epoch_end:
                on_epoch_end(model, state)
    return state


class _Rotation:
    """A run's epochs on the cluster: each epoch's tables sent out in blocks and gathered
    back, the corpus's parts sent again after a loss."""

    def __init__(self, client, model, spread, step, times):
        self.client, self.model, self.config, self.times = client, model, model.config, times
        self.spread, self.step = spread, step
        self.K = len(client.scheduler_info()["workers"])   # workers of the last epoch tried
        self.window = widest_window(self.config, [0, spread.longest])
        self.keep = keep_probabilities(model.counts, self.config.sample)

    def epoch(self, state, stop, bar):
        """Train one epoch into the model; (summed loss, pairs). A worker lost on the way
        costs the slice it was training: the epoch goes on from the tables at the last
        slice's end (each block kept on two workers; from the epoch's start if both copies
        went), on as many workers once the cluster has replaced it (Dask's nannies restart
        a worker in seconds), else on those left after REPLACE_WAIT seconds; up to RETRIES
        times."""
        from distributed import CancelledError
        from distributed.comm import CommClosedError
        from distributed.scheduler import KilledWorker
        progress, lost = _Progress(), None
        start = (self.model.input.W.data.copy(), self.model.output.W.data.copy())
        try:
            for _ in range(RETRIES + 1):
                try:
                    if lost is not None:
                        self._recover(state, progress, lost, bar, start)
                    return self._epoch(state, stop, bar, progress)
                except (CancelledError, KilledWorker, CommClosedError) as e:
                    if self.client.status != "running":   # the scheduler is gone: no retry
                        raise
                    lost = e
            raise UserError(f"the cluster lost workers {RETRIES + 1} times in epoch "
                            f"{state.epoch + 1} ({type(lost).__name__}); the run is saved at "
                            f"the end of epoch {state.epoch}")
        except Interrupted:
            self.model.input.W.data[...], self.model.output.W.data[...] = start
            raise

    def _recover(self, state, progress, lost, bar, start):
        """After a loss: wait for the cluster to replace its workers, send the corpus's
        parts again, and put the last slice's end (else the epoch's start) in the model."""
        try:
            self.client.wait_for_workers(self.K, timeout=REPLACE_WAIT)
        except TimeoutError:
            pass
        self.spread = self.spread.resend()
        if not progress.restore(self.client, self.model):
            self.model.input.W.data[...], self.model.output.W.data[...] = start
        self.times.retries += 1
        warnings.warn(f"the cluster lost a worker in epoch {state.epoch + 1} "
                      f"({type(lost).__name__}): training again from slice "
                      f"{progress.slice + 1}", Advice, stacklevel=4)
        bar.update(state.words + progress.words - bar.n)

    def _epoch(self, state, stop, bar, progress):
        """Train the epoch's slices from `progress` on; record each slice's end in it."""
        client, config = self.client, self.config
        workers = sorted(client.scheduler_info()["workers"])
        K = self.K = len(workers)
        if not workers:
            raise UserError("the Dask cluster has no workers")
        start = time.perf_counter()
        parts, part_words = self.spread.parts, self.spread.part_words
        # a skip-gram bucket's window holds a K-th of the context words, each scored against
        # output rows of a table a K-th the size: K times the windows make the same step
        step = self.step * K if config.sg else self.step
        keep = client.scatter(self.keep, broadcast=True, hash=False)
        W_in = [self._send(self.model.input.W.data[i::K], w) for i, w in enumerate(workers)]
        W_out = [self._send(self.model.output.W.data[j::K], w) for j, w in enumerate(workers)]
        counts = [self._send(self.model.counts[j::K], w) for j, w in enumerate(workers)]
        total = config.epochs * self.spread.words
        for first in range(progress.slice * K, len(parts), K):   # K parts, in K rounds
            buckets = [client.submit(bucket_part, p, keep, self.window, config.seed,
                                     state.epoch, K, pure=False)
                       for p in parts[first:first + K]]
            words, done, results = sum(part_words[first:first + K]), \
                state.words + progress.words, []
            for r in range(K):
                span = [done + r * words // K, done + (r + 1) * words // K]
                for i in range(K):
                    j = (i + r) % K
                    pieces = [client.submit(getitem, b, i * K + j, pure=False) for b in buckets]
                    t = client.submit(train_bucket, config, W_in[i], W_out[j], counts[j],
                                      pieces, step, span, total,
                                      [config.seed, state.epoch, first, i, j],
                                      workers=[workers[i]], allow_other_workers=True,
                                      pure=False)
                    W_in[i] = client.submit(getitem, t, 0, pure=False)
                    W_out[j] = client.submit(getitem, t, 1, pure=False)
                    results.append((client.submit(getitem, t, 2, pure=False), words // K ** 2))
            progress.slice_done(self._wait(results, state, stop, bar), words,
                                self._kept_twice(W_in, workers), self._kept_twice(W_out, workers))
        for i, (a, b) in enumerate(zip(client.gather(W_in), client.gather(W_out))):
            self.model.input.W.data[i::K] = a
            self.model.output.W.data[i::K] = b
        figures = progress.figures
        self.times.wall += time.perf_counter() - start
        self.times.training += sum(f.seconds for f in figures)
        self.times.rounds += len(figures) // K
        return sum(f.loss for f in figures), sum(f.pairs for f in figures)

    def _kept_twice(self, blocks_, workers):
        """Each block's future, and a copy of it on the next worker: a block survives the
        loss of either."""
        K = len(workers)
        if K == 1:
            return [(f,) for f in blocks_]
        copies = [self.client.submit(np.copy, f, workers=[workers[(i + 1) % K]], pure=False)
                  for i, f in enumerate(blocks_)]
        return list(zip(blocks_, copies))

    def _send(self, array, worker):
        return self.client.scatter(np.ascontiguousarray(array), workers=[worker], hash=False)

    def _wait(self, results, state, stop, bar):
        """The Figures of `results`, (future, a bucket's share of the words) pairs, as they
        end, with the progress bar moved on; Ctrl-C cancels the epoch (Interrupted, with the
        state at its start) and a diverged bucket ends it (Diverged)."""
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


class _Progress:
    """How far an epoch got: slices done, their Figures and words, and the tables' blocks
    at the last slice's end (each as a pair of futures on two workers)."""

    def __init__(self):
        self.slice, self.words, self.figures, self.blocks = 0, 0, [], None

    def slice_done(self, figures, words, input_blocks, output_blocks):
        self.slice += 1
        self.words += words
        self.figures += figures
        self.blocks = input_blocks, output_blocks

    def restore(self, client, model):
        """Put the tables of the last slice's end into `model`, from whichever copy of each
        block survived; False (and back to the epoch's start) if none did or none was
        kept."""
        from distributed import CancelledError
        if self.blocks is None:
            return False
        K = len(self.blocks[0])
        try:
            for table, blocks_ in zip((model.input.W.data, model.output.W.data), self.blocks):
                for i, pair in enumerate(blocks_):
                    table[i::K] = _surviving(client, pair)
        except CancelledError:
            self.__init__()
            return False
        return True


def _surviving(client, futures):
    """The data of the first of `futures` that is still on the cluster."""
    from distributed import CancelledError
    for f in futures[:-1]:
        try:
            return client.gather(f)
        except CancelledError:
            continue
    return client.gather(futures[-1])


def _parts(ids, cut, count, key=()):
    """The training blocks `cut` of a corpus's `ids` in `count` Parts of consecutive blocks
    (fewer if there are fewer blocks)."""
    bounds = np.linspace(0, len(cut), min(count, len(cut)) + 1).astype(int)
    return [Part(ids[cut[a][0]:cut[b - 1][-1]], [s - cut[a][0] for s in cut[a:b]], int(a), key)
            for a, b in zip(bounds[:-1], bounds[1:])]


def read_on_cluster(client, source, config, tokenizer, phrases=None):
    """(words, counts, Spread) of the corpus at `source`, counted and encoded on the workers,
    which keep it: the vocabulary is the single machine's, the token ids stay where they
    were read. A folder `corpora encode` wrote (`source` its corpora.encoded.Folder) is not
    read again: the workers load its shards."""
    from corpora.cluster import count_corpus
    from wordvec.run import check_sentences, vocabulary

    if isinstance(source, encoded.Folder):
        vocab = vocabulary(source.vocab.index_to_key, source.vocab.counts, config, source)
        spread = Spread.load(client, source.prefixes, len(vocab))
    else:
        counted = count_corpus(client, source, tokenizer, phrases=phrases)
        vocab = vocabulary(counted.types, counted.counts, config, source)
        spread = Spread.encode(client, source, tokenizer, vocab, phrases)
    check_sentences(spread.longest, source)
    return vocab.index_to_key, vocab.counts, spread


def _sentences(encoded):
    """(tokens, the longest sentence) of an Encoded shard."""
    return len(encoded.ids), int(np.diff(encoded.offsets).max(initial=0))


def _shard_parts(encoded, block_tokens, count, key):
    """An Encoded shard in about `count` Parts of whole blocks."""
    offsets = np.asarray(encoded.offsets)
    return _parts(np.asarray(encoded.ids), blocks(offsets, block_tokens=block_tokens), count,
                  (key,))


def _part_words(parts):
    return [len(p.ids) for p in parts]


def bucket_part(part, keep, window, seed, epoch, K):
    """A part's windows, drawn block by block as one machine draws them, cut into K x K
    buckets: bucket i K + j holds, for each block, the centres of output block j with their
    context words of input block i, each word's id its row in its block (w // K), each
    window's context words first."""
    buckets = [[] for _ in range(K * K)]
    for b, s in enumerate(part.starts, part.first):
        w = windows(part.ids[s[0]:s[-1]], s - s[0], keep, window,
                    np.random.default_rng([seed, epoch, *part.key, b]))
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
    keep_freed_memory()    # Dask's workers return freed memory at once: 3x slower steps
    net = _block_net(config, counts, input_rows.copy(), output_rows.copy())
    # one worker owns each row at a time: nothing races, the cap is one worker's
    opt = nn.SGD(net, lr=config.alpha, max_row_repeats=replace(config, workers=1).row_cap())
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
