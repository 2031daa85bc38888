"""Training word2vec: epochs over a corpus in blocks, plain SGD with word2vec.c's linearly
decaying learning rate, the mean loss per pair reported, checkpoints that resume exactly.

Randomness is drawn per block from a generator seeded by (seed, epoch, block), so a run
resumed at any step of any block gives the same vectors as one never stopped.
"""
import signal
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

import nn
from corpora import Vocab, load_corpus
from npnlp.errors import UserError
from npnlp.progress import progress_bar
from wordvec.batches import blocks, keep_probabilities, windows
from wordvec.config import TrainConfig
from wordvec.model import Word2Vec
from wordvec.native import load_native, save_native

MAX_ROW_REPEATS = 32   # per step, see nn.scatter_add: a guard against local bursts of a word


@dataclass
class TrainState:
    """Where a run is: the next step to take, and what it has seen so far."""

    epoch: int = 0
    block: int = 0
    step: int = 0                      # steps done in the current block
    words: int = 0                     # corpus tokens done, over all epochs
    epoch_loss: list = field(default_factory=list)     # mean loss per pair, each epoch done
    loss_sum: float = 0.0              # of the current epoch so far
    pairs: int = 0


class Interrupted(Exception):
    """Ctrl-C arrived; the run stopped between two steps and can be resumed."""


def train(model, ids, offsets, state=None, progress=False, on_epoch_end=None, stop=None):
    """Train `model` (a Word2Vec) on the corpus `ids` with sentence `offsets` until
    `model.config.epochs` epochs are done, starting from `state` (a TrainState) or afresh.

    on_epoch_end(model, state) is called after every epoch (to checkpoint). When `stop()`
    turns true (by default: Ctrl-C was pressed), training stops between two steps and
    raises Interrupted with the state reached; a non-finite loss raises UserError.
    Returns the state at the end.
    """
    config = model.config
    state = state or TrainState()
    parts = blocks(offsets)
    keep = keep_probabilities(model.counts, config.sample)
    total_words = config.epochs * len(ids)
    alpha = nn.LinearDecay(config.alpha, total_words + 1, config.min_alpha)
    opt = nn.SGD(model, lr=config.alpha, max_row_repeats=MAX_ROW_REPEATS)
    with _stop_on_ctrl_c() as ctrl_c, progress_bar(total_words, "word", progress) as bar:
        stop = stop or ctrl_c
        while state.epoch < config.epochs:
            for b in range(state.block, len(parts)):
                starts = parts[b]
                rng = np.random.default_rng([config.seed, state.epoch, b])
                batch = windows(ids[starts[0]:starts[-1]], starts - starts[0], keep,
                                config.window, rng)
                n_steps = -(-len(batch.centres) // config.batch)
                first_word = state.epoch * len(ids) + int(starts[0])
                block_words = int(starts[-1] - starts[0])
                for s in range(n_steps):
                    step = type(batch)(*(a[s * config.batch:(s + 1) * config.batch]
                                         for a in batch))
                    if s < state.step:     # resuming inside this block: replay its draws
                        _replay_draws(model, step, rng)
                        continue
                    opt.lr = alpha(first_word + s * block_words // n_steps)
                    opt.zero_grad()
                    loss, pairs = model.backprop(step, rng)
                    if not np.isfinite(loss):
                        raise UserError(
                            f"the training loss became {loss} in epoch {state.epoch + 1} "
                            f"(learning rate {opt.lr:.3g}): try a smaller --alpha or --batch")
                    opt.step()
                    state.loss_sum += loss
                    state.pairs += pairs
                    state.step = s + 1
                    state.words = first_word + state.step * block_words // n_steps
                    bar.update(state.words - bar.n)
                    bar.set_postfix(epoch=state.epoch + 1, alpha=f"{opt.lr:.5f}",
                                    loss=f"{state.loss_sum / max(state.pairs, 1):.4f}",
                                    refresh=False)
                    if stop():
                        raise Interrupted(state)
                state.words = first_word + block_words
                state.block, state.step = b + 1, 0
            state.epoch_loss.append(state.loss_sum / max(state.pairs, 1))
            state.epoch, state.block, state.loss_sum, state.pairs = state.epoch + 1, 0, 0.0, 0
            if on_epoch_end:
                on_epoch_end(model, state)
    return state


def _replay_draws(model, step, rng):
    """Draw what a skipped step drew (its negatives), so that the generator of a resumed
    block is where an uninterrupted run's would be."""
    if model.config.loss == "negative":
        model.draw_noise(rng, len(step.centres))


class _stop_on_ctrl_c:
    """Within the block, Ctrl-C sets a flag (the step in progress finishes) instead of
    raising KeyboardInterrupt in the middle of an update; a second Ctrl-C raises at once."""

    def __enter__(self):
        self.stopped = False
        try:
            self.previous = signal.signal(signal.SIGINT, self._handle)
        except ValueError:   # not the main thread: no handler, Ctrl-C raises as usual
            self.previous = None
        return lambda: self.stopped

    def _handle(self, signum, frame):
        if self.stopped:
            raise KeyboardInterrupt
        self.stopped = True

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


def save_model(folder, model, state=None, extra=None):
    """The model in the native format, with everything needed to continue training: both
    weight tables, the vocabulary with counts, the config and the training state."""
    config = {"train": model.config.to_dict(), **(extra or {})}
    if state is not None:
        config["state"] = asdict(state)
    save_native(folder, model.words, {"vectors": model.input.W.data, "counts": model.counts,
                                      "output": model.output.W.data}, config)


def load_model(folder):
    """(model, state, extra config) from a folder written by `save_model`."""
    words, arrays, saved = load_native(folder, mmap=False)
    if "train" not in saved or "output" not in arrays:
        raise UserError(f"{folder} holds word vectors but not a model to continue training "
                        f"(it was not written by `wordvec train`)")
    model = Word2Vec(TrainConfig.from_dict(saved.pop("train")), words, arrays["counts"])
    model.load_state_dict({"input.W": arrays["vectors"], "output.W": arrays["output"]})
    state = TrainState(**saved.pop("state")) if "state" in saved else None
    return model, state, saved


def fit(source, config, tokenizer, checkpoint=None, resume=False, progress=False):
    """Train word vectors on the corpus at `source` (a file or folder, read through `corpora`
    and its token cache). Returns (model, state).

    checkpoint: a folder where the model is saved at every epoch end and on Ctrl-C (then
    Interrupted is raised). resume: continue from that checkpoint, with its settings.
    """
    extra = {"tokenizer": tokenizer.key()}
    if resume:
        if checkpoint is None or not Path(checkpoint).is_dir():
            raise UserError(f"nothing to resume: no checkpoint {checkpoint}")
        model, state, saved = load_model(checkpoint)
        if saved.get("tokenizer") != extra["tokenizer"]:
            raise UserError(f"the checkpoint {checkpoint} was made with other tokenizer "
                            f"settings: {saved.get('tokenizer')}")
        config = model.config
    words, counts, ids, offsets = prepare(source, config, tokenizer, progress)
    if not resume:
        model, state = Word2Vec(config, words, counts), None
    elif words != model.words:
        raise UserError(f"the corpus {source} is not the one the checkpoint {checkpoint} was "
                        f"trained on: its vocabulary differs")

    def save(model, state):
        if checkpoint is not None:
            save_model(checkpoint, model, state, extra)

    try:
        state = train(model, ids, offsets, state, progress, on_epoch_end=save)
    except Interrupted as stop:
        save(model, stop.args[0])
        raise
    return model, state


def prepare(source, config, tokenizer, progress=False):
    """(words, counts, ids, sentence offsets) of a corpus under `config`'s vocabulary."""
    corpus = load_corpus(source, tokenizer, progress=progress)
    vocab = Vocab.from_counts(corpus.types, corpus.counts, config.min_count, config.max_vocab)
    if len(vocab) < 2:
        raise UserError(f"the vocabulary of {source} has {len(vocab)} word: word2vec needs "
                        f"at least 2 (lower --min-count?)")
    encoded = corpus.encode(vocab)
    return vocab.index_to_key, vocab.counts, encoded.ids, encoded.offsets
