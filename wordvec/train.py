"""The word2vec training loop: epochs over a corpus in blocks, plain SGD with word2vec.c's
linearly decaying learning rate, the mean loss per pair reported (`wordvec.run` reads the
corpus, checkpoints and resumes around it).

Randomness is drawn per block from a generator seeded by (seed, epoch, block), so a run
resumed at any step of any block gives the same vectors as one never stopped.

With several workers, forked processes take the blocks in turn and update the two weight
tables in place, in memory they share, without locks (Hogwild, as word2vec.c and gensim
do): their updates race, so the vectors then depend on timing as well as on the seed.
"""
import mmap
import multiprocessing
import os
import signal
import time
import warnings
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait

import numpy as np

import nn
from npnlp.blas import cores, limit_blas_threads
from npnlp.errors import Advice, UserError
from npnlp.interrupt import stop_on_ctrl_c
from npnlp.memory import keep_freed_memory
from npnlp.progress import progress_bar
from npnlp.training import Diverged, Interrupted, exploded
from wordvec.batches import (
    BLOCK_TOKENS,
    MAX_SENTENCE,
    block_size,
    blocks,
    keep_probabilities,
    steps,
    windows,
)
from wordvec.config import TrainConfig

SHOW_EVERY = 0.1   # seconds between two updates of the progress bar by one worker


@dataclass
class TrainState:
    """Where a run is, and what it has seen so far."""

    epoch: int = 0
    done: list = field(default_factory=list)       # blocks finished in the current epoch
    partial: dict = field(default_factory=dict)    # block -> steps done in it
    words: int = 0                                 # corpus tokens done, over all epochs
    epoch_loss: list = field(default_factory=list) # mean loss per pair of each epoch done
    epoch_pairs: list = field(default_factory=list)# pairs (predictions) of each epoch done
    loss_sum: float = 0.0                          # of the current epoch so far
    pairs: int = 0
    step_size: int = 0                             # centres a step of `partial` (0: unknown)
    block_tokens: int = 0                          # tokens a block of `done` (0: unknown)

    def __post_init__(self):
        self.partial = {int(b): int(s) for b, s in self.partial.items()}   # JSON keys

    @classmethod
    def from_dict(cls, saved):
        """A state from a checkpoint's JSON, older names (step, blocks) included."""
        renamed = {"step": "step_size", "blocks": "block_tokens"}
        return cls(**{renamed.get(k, k): v for k, v in saved.items()})


def train(model, ids, offsets, state=None, progress=False, on_epoch_end=None, stop=None):
    """Train `model` (a Word2VecNet) on the corpus `ids` with sentence `offsets` until
    `model.config.epochs` epochs are done, starting from `state` (a TrainState) or afresh,
    with `model.config.workers` processes.

    on_epoch_end(model, state) is called after every epoch (to checkpoint). When `stop()`
    turns true (by default: Ctrl-C was pressed), training stops between two steps and
    raises Interrupted with the state reached; a non-finite loss raises UserError.
    Returns the state at the end.
    """
    config = model.config
    state = state or TrainState()
    # a checkpoint from before blocks were sized to the corpus used blocks of BLOCK_TOKENS
    legacy = BLOCK_TOKENS if state.done or state.partial else None
    run = _Run(model, ids, offsets, state.block_tokens or legacy)
    state.block_tokens = run.block_tokens
    if state.step_size and state.step_size != run.step_size:   # resumed with other --workers
        state.partial = {b: s * state.step_size // run.step_size
                         for b, s in state.partial.items()}
    state.step_size = run.step_size
    if config.workers > cores():
        warnings.warn(f"{config.workers} workers on {cores()} cores take turns, and run no "
                      f"faster than {cores()} workers",
                      Advice, stacklevel=2)
    keep_freed_memory()
    with (stop_on_ctrl_c() as ctrl_c, progress_bar(run.total_words, "word", progress) as bar,
          np.errstate(over="ignore", invalid="ignore")):   # a diverging loss is checked
        bar.update(state.words)
        while state.epoch < config.epochs:
            ledger = _Ledger(run.n_blocks, config.workers, state)
            todo = [b for b in range(run.n_blocks) if b not in state.done]
            if config.workers == 1:
                ledger.on_step = lambda done: _show(bar, done, state.epoch, run.alpha)
                run.train_blocks(todo, state.epoch, ledger, 0, stop or ctrl_c)
                _show(bar, ledger, state.epoch, run.alpha)
            else:
                run.in_workers(todo, state.epoch, ledger, stop or ctrl_c, bar)
            if ledger.diverged:
                raise Diverged(ledger.divergence(state.epoch), run.divergence_advice())
            ledger.settle(state)
            if ledger.stopped:
                raise Interrupted(state)
            if not state.pairs:
                raise UserError("the corpus gave no (context, centre) pair to train on: it is "
                                "too small after subsampling (lower --sample or --min-count)")
            state.epoch_loss.append(state.loss_sum / state.pairs)
            state.epoch_pairs.append(state.pairs)
            # steps recounted in another size (resumed with other --workers) count their
            # words by the new steps' equal shares, a few off; every epoch is the corpus
            state.words = (state.epoch + 1) * len(ids)
            state.epoch, state.done, state.partial = state.epoch + 1, [], {}
            state.loss_sum, state.pairs = 0.0, 0
            if on_epoch_end:
                on_epoch_end(model, state)
    return state


class _Run:
    """What every worker of a run shares: the model, the corpus cut in blocks, the
    subsampling and learning-rate schedules."""

    def __init__(self, model, ids, offsets, block_tokens=None):
        self.model, self.ids, self.config = model, ids, model.config
        self.block_tokens = block_tokens or block_size(offsets)
        self.parts = blocks(offsets, block_tokens=self.block_tokens)
        self.window = widest_window(self.config, offsets)
        self.n_blocks = len(self.parts)
        self.keep = keep_probabilities(model.counts, self.config.sample)
        self.default_step = replace(self.config, batch=None).step_size(
            len(model.words), model.rows_per_centre)
        self.step_size = self.config.batch or self.default_step
        self.total_words = self.config.epochs * len(ids)
        self.alpha = nn.LinearDecay(self.config.alpha, self.total_words + 1,
                                    self.config.min_alpha)
        self.shared = False   # whether the weight tables are in shared memory yet

    def divergence_advice(self):
        """What to change after the loss diverged, from the likely cause in the settings."""
        config = self.config
        default_alpha = TrainConfig(sg=config.sg, loss=config.loss).alpha
        if config.batch is not None and config.batch > self.default_step:
            return (f"--batch {config.batch} with {config.workers} worker"
                    f"{'s' * (config.workers > 1)} updates too many rows at once for this "
                    f"vocabulary (the default step here is {self.default_step}; leave "
                    f"--batch out)")
        if config.alpha > default_alpha:
            return f"--alpha {config.alpha:g} is above the default {default_alpha:g}: lower it"
        if config.workers > cores():
            return (f"{config.workers} workers on {cores()} cores: try --workers {cores()} or a "
                    f"smaller --alpha")
        return "try a smaller --alpha"

    def block_steps(self, b, epoch):
        """Block `b`'s steps in `epoch`: the generator their draws come from, the steps,
        each step's share of the block's words, and the block's words."""
        config = self.config
        starts = self.parts[b]
        rng = np.random.default_rng([config.seed, epoch, b])
        block = windows(self.ids[starts[0]:starts[-1]], starts - starts[0], self.keep,
                        self.window, rng)
        n = -(-len(block.centres) // self.step_size)
        words = int(starts[-1] - starts[0])
        shares = [(s + 1) * words // n - s * words // n for s in range(n)]
        # see batches.steps; the exact softmax scores each pair alone, with no window padding
        by_count = config.sg and config.loss != "softmax"
        return rng, steps(block, self.step_size, by_count), shares, words

    def train_blocks(self, todo, epoch, ledger, worker, stop):
        """Train on the blocks `todo` (an iterable) of `epoch` in order, reporting to
        `ledger`."""
        config, model = self.config, self.model
        opt = nn.SGD(model, lr=config.alpha, max_row_repeats=config.row_cap())
        for b in todo:
            rng, block_steps, shares, words = self.block_steps(b, epoch)
            for s, step in enumerate(block_steps):
                if s < ledger.partial[b]:     # resuming inside this block: replay its draws
                    model.replay_draws(step, rng)
                    continue
                opt.lr = self.alpha(ledger.words_done())
                opt.zero_grad()
                loss, pairs = model.backprop(step, rng)
                if exploded(loss, model.untrained_loss * pairs):
                    ledger.record_divergence(worker, loss / max(pairs, 1), opt.lr)
                    return
                opt.step()
                ledger.step_done(worker, b, s + 1, shares[s], loss, pairs)
                if stop():
                    ledger.stop()
                    return
            if not shares:
                ledger.step_done(worker, b, 0, words, 0.0, 0)
            ledger.done[b] = 1

    def in_workers(self, todo, epoch, ledger, stop, bar):
        """`train_blocks` in forked processes sharing the weight tables, each taking the next block
        of `todo` when it is free (`_Ledger.claim`)."""
        if not self.shared:
            for p in self.model.parameters():
                p.data = _shared(p.data)
            self.shared = True
        fork = multiprocessing.get_context("fork")
        workers = [fork.Process(target=self._worker, args=(ledger.claim(todo), epoch, ledger, w))
                   for w in range(ledger.n_workers)]
        for w in workers:
            w.start()
        running = {w.sentinel: w for w in workers}
        try:
            while running:
                # wakes as soon as a worker ends: sleeping 0.1 s cost up to 0.1 s an epoch
                for ended in wait(list(running), timeout=0.1):
                    if running.pop(ended).exitcode:
                        ledger.stop()              # a failed worker: the others stop too
                if stop():
                    ledger.stop()
                _show(bar, ledger, epoch, self.alpha)
        except BaseException:                      # a second Ctrl-C, say: stop the workers
            ledger.stop()
            raise
        finally:
            for w in workers:
                w.join()
        if any(w.exitcode for w in workers) and not ledger.diverged:
            raise UserError("a training worker failed (out of memory?)")

    def _worker(self, todo, epoch, ledger, worker):
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when to stop
        # the exact softmax's large products: 2 workers x 2 BLAS threads on 2 cores took 12x
        # longer; the small batched products of the others ran 5% faster unlimited, but not
        # with more workers than cores
        if self.config.loss == "softmax" or self.config.workers > cores():
            limit_blas_threads(1)
        parent = os.getppid()   # a worker whose parent was killed stops too
        self.train_blocks(todo, epoch, ledger, worker,
                    lambda: ledger.stopped or os.getppid() != parent)


class _Ledger:
    """The progress of an epoch, in memory shared by the workers: each worker's words, loss
    and pairs, each block's steps done and whether it is finished, the stop flag, and the
    count of blocks claimed (`claim`).

    state: the TrainState the epoch starts (or resumes) from."""

    def __init__(self, n_blocks, n_workers, state):
        self.n_workers, self.on_step, self._shown = n_workers, None, 0.0
        self.start = state.words
        self.lock = multiprocessing.get_context("fork").Lock()
        W = n_workers
        arrays = np.frombuffer(mmap.mmap(-1, 8 * (4 * W + 2 * n_blocks + 4)), np.float64)
        self.words, self.loss, self.pairs, self.diverged_lr = (arrays[i * W:(i + 1) * W]
                                                               for i in range(4))
        self.partial = arrays[4 * W:4 * W + n_blocks]
        self.done = arrays[4 * W + n_blocks:4 * W + 2 * n_blocks]
        # one-element views, so that a write from any worker is seen by all
        self._stop, self._diverged, self._diverged_loss, self._claimed = (
            arrays[k:k + 1] for k in range(4 * W + 2 * n_blocks, len(arrays)))
        self.done[state.done] = 1
        for b, done in state.partial.items():
            self.partial[b] = done

    def claim(self, todo):
        """The blocks of `todo` in order, each to the first worker that asks, so that a
        worker that ends early waits for at most one block of the other's, not for the rest
        of a fixed share."""
        while not self.stopped:
            # a timed wait: a worker killed holding the lock must not hang the others
            if not self.lock.acquire(timeout=0.1):
                continue
            try:
                i = int(self._claimed[0])
                self._claimed[0] = i + 1
            finally:
                self.lock.release()
            if i >= len(todo):
                return
            yield todo[i]

    def words_done(self):
        """Corpus tokens done over all epochs, by all workers."""
        return self.start + int(self.words.sum())

    def step_done(self, worker, block, steps, words, loss, pairs):
        self.partial[block] = steps
        self.words[worker] += words
        self.loss[worker] += loss
        self.pairs[worker] += pairs
        # at most every SHOW_EVERY seconds: formatting the bar took 36-80 us, 2-9% of a step
        if self.on_step and time.monotonic() - self._shown >= SHOW_EVERY:
            self._shown = time.monotonic()
            self.on_step(self)

    def stop(self):
        self._stop[0] = 1

    @property
    def stopped(self):
        return bool(self._stop[0])

    def record_divergence(self, worker, loss, lr):
        """Record a diverged loss, and stop the other workers."""
        self.diverged_lr[worker] = lr
        self._diverged_loss[0], self._diverged[0] = loss, 1
        self.stop()

    @property
    def diverged(self):
        return bool(self._diverged[0])

    def divergence(self, epoch):
        return (f"the training loss became {self._diverged_loss[0]:.4g} per prediction in "
                f"epoch {epoch + 1} (learning rate {self.diverged_lr.max():.3g})")

    def settle(self, state):
        """Fold what the workers did into `state`."""
        state.words += int(self.words.sum())
        state.loss_sum += float(self.loss.sum())
        state.pairs += int(self.pairs.sum())
        state.done = [int(b) for b in np.flatnonzero(self.done)]
        state.partial = {int(b): int(self.partial[b]) for b in np.flatnonzero(self.partial)
                         if not self.done[b]}


def _shared(array):
    """A copy of `array` in anonymous shared memory, which forked processes write to in
    place and which the system frees with the last process using it."""
    shared = np.frombuffer(mmap.mmap(-1, max(array.nbytes, 1)), array.dtype, array.size)
    shared = shared.reshape(array.shape)
    shared[...] = array
    return shared


def _show(bar, ledger, epoch, alpha):
    """The progress bar: words done (its rate is words/s), epoch, learning rate, and the
    mean loss per pair of the epoch so far."""
    pairs, words = ledger.pairs.sum(), ledger.words_done()
    bar.update(words - bar.n)
    bar.set_postfix(epoch=epoch + 1, alpha=f"{alpha(words):.4g}",
                    loss=f"{ledger.loss.sum() / max(pairs, 1):.4f}", refresh=False)


def widest_window(config, offsets):
    """The window a run uses: `config.window`, cut to the longest sentence (or piece of one,
    MAX_SENTENCE) less one, as a wider one adds nothing but memory. The setting itself is
    kept, so that a resumed run's settings match."""
    return min(config.window, int(min(np.diff(offsets).max(), MAX_SENTENCE)) - 1)
