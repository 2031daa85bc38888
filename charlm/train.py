"""Training a character language model: minibatches of parallel streams, truncated BPTT with
the hidden state carried from window to window, gradient clipping, learning-rate decay,
validation in nats and bits per character, the best checkpoint kept, and a resumable one
that makes a stopped run continue exactly as if it had not stopped.
"""
import math
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

import nn
from charlm.config import CharConfig
from charlm.data import load_text, n_windows, streams, window
from charlm.model import CharRNN
from corpora import CharVocab
from npnlp.errors import Advice, UserError
from npnlp.files import atomic_write
from npnlp.interrupt import stop_on_ctrl_c
from npnlp.memory import check_fits, keep_freed_memory
from npnlp.progress import progress_bar
from npnlp.training import Diverged, Interrupted, exploded

OPTIMIZERS = {"adam": nn.Adam, "adagrad": nn.Adagrad, "sgd": nn.SGD}
LOG_FIELDS = ("step", "epoch", "train_loss", "val_loss", "val_bpc", "chars_per_s", "lr")
RESUME_CHANGES = ("steps", "epochs", "lr")   # what a resumed run may change
NETWORK = ("cell", "hidden", "layers", "embed")   # what init_from keeps of its model


@dataclass
class TrainState:
    """Where a run is: steps done, the next window of the epoch, the best validation loss."""

    step: int = 0
    epoch: int = 0
    window: int = 0
    lr: float = 0.0
    best_val: float = math.inf
    text_length: int = 0                      # characters of the text trained on
    log: list = field(default_factory=list)   # one dict of LOG_FIELDS per validation
    losses: list = field(default_factory=list)   # training losses since the last validation


class Paths:
    """The files of a run named CHECKPOINT: the best model (CHECKPOINT), the latest state to
    resume from (CHECKPOINT.last) and the validation log (CHECKPOINT.log.csv)."""

    def __init__(self, checkpoint):
        self.best = Path(checkpoint)
        self.last = self.best.with_name(self.best.name + ".last")
        self.log = self.best.with_name(self.best.name + ".log.csv")


def train(model, vocab, text, paths, state=None, optimizer_state=None, hidden=None,
          progress=False, stop=None):
    """Train `model` on `text` (a data.Text) until its config's steps or epochs are done,
    validating and checkpointing every `eval_every` steps. Returns the final TrainState.

    state, optimizer_state, hidden: where a resumed run left off. Ctrl-C (or `stop()`)
    ends the run after a step, saved, raising Interrupted; a loss that is not finite
    raises Diverged, the last good checkpoint kept.
    """
    config = model.config
    keep_freed_memory()
    train_streams = streams(text.train, config.batch, config.seq_len, "the training text")
    if len(text.val) < 2:
        raise UserError(f"the validation part of the text has {len(text.val)} character(s): "
                        f"raise --val-fraction or train on a longer text")
    per_epoch = n_windows(train_streams, config.seq_len)
    total = config.steps or config.epochs * per_epoch
    state = state or TrainState(lr=config.lr, text_length=len(text.train) + len(text.val))
    opt = OPTIMIZERS[config.optimizer](model, lr=state.lr)
    if optimizer_state:
        opt.load_state_dict(optimizer_state)
    hidden = hidden if hidden is not None and state.window else None
    chars, start = 0, time.perf_counter()
    chars_per_step = config.batch * config.seq_len
    with (stop_on_ctrl_c() as ctrl_c,
          progress_bar(total * chars_per_step, "char", progress) as bar):
        bar.update(state.step * chars_per_step)
        while state.step < total:
            x, y = window(train_streams, state.window, config.seq_len)
            logits, hidden, cache = model.forward(x, hidden)
            loss, dlogits = nn.softmax_cross_entropy(logits, y)
            if exploded(loss, math.log(model.vocab_size)):   # a uniform guess's loss
                kept = f"; the last good state is in {paths.last}" if paths.last.exists() \
                    else ""
                raise Diverged(f"the training loss diverged to {loss:.4g} at step "
                               f"{state.step + 1}", f"try a lower --lr (now {opt.lr:.3g}) or "
                               f"--clip{kept}")
            opt.zero_grad()
            model.backward(dlogits, cache)
            nn.clip_grad_norm(model.parameters(), config.clip)
            opt.step()
            state.losses.append(loss)
            chars += x.size
            state.step, state.window = state.step + 1, state.window + 1
            if state.window == per_epoch:      # a new epoch starts from a fresh state
                state.epoch, state.window, hidden = state.epoch + 1, 0, None
                if state.epoch >= config.decay_after:
                    opt.lr = state.lr = opt.lr * config.lr_decay
            bar.update(chars_per_step)
            bar.set_postfix(step=state.step, loss=f"{loss:.3f}", refresh=False,
                            val=f"{state.log[-1]['val_loss']:.3f}" if state.log else "-")
            if state.step % config.eval_every == 0 or state.step == total:
                rate = chars / (time.perf_counter() - start)
                _validate(model, vocab, text, paths, state, opt, hidden, rate)
                chars, start = 0, time.perf_counter()
            if (stop or ctrl_c)():
                save(paths.last, model, vocab, state, opt, hidden)
                raise Interrupted(state)
    if not state.log or state.log[-1]["step"] != state.step:   # a resumed run already done
        _validate(model, vocab, text, paths, state, opt, hidden, 0.0)
    return state


def fit(text, checkpoint, config=None, resume=False, init_from=None, force=False,
        changes=None, progress=False, cache=True, stop=None):
    """Train a character model on `text` (a UTF-8 file or folder, '-' for standard input,
    read through `corpora`'s character cache unless `cache` is false) as `charlm train`
    does, into the files of Paths(checkpoint). Returns (model, vocab, state), the model as
    the last step left it; the best by validation loss is in `checkpoint`.

    An earlier run's files are refused unless `resume` continues that run, with its saved
    settings but for `changes` (a dict of RESUME_CHANGES), or `force` starts over.
    init_from: a checkpoint whose weights and network (NETWORK, whatever `config` says) a
    new run starts from; characters `text` adds start untrained. Ctrl-C (or `stop()`) saves
    the run and raises Interrupted; a diverging loss raises Diverged.
    """
    paths = Paths(checkpoint)
    if resume and init_from:
        raise UserError("resume continues a run; init_from starts a new one from another's "
                        "weights: give one or the other")
    _refuse_earlier_run(paths, resume or force)
    base_vocab = None
    if resume:
        model, vocab, state, optimizer_state, hidden = _resumed(paths.last, changes or {})
        config = model.config
    else:
        config, state, optimizer_state, hidden = config or CharConfig(), None, None, None
        if init_from:
            base, base_vocab, *_ = load(init_from)
            config = replace(config, **{n: getattr(base.config, n) for n in NETWORK})
    data = load_text(text, config.val_fraction, progress, cache, base_vocab)
    check_fits(CharRNN.memory_needed(config, len(data.vocab)),
               f"a {config.layers}-layer {config.cell} of {config.hidden:,} units with "
               f"{config.embed:,}-dimension embeddings")
    if not resume:
        vocab, model = data.vocab, CharRNN(config, len(data.vocab))
        if init_from:
            model.take_weights(base, vocab, base_vocab)
            _warn_untrained(vocab, base_vocab, text, init_from)
    elif data.vocab.chars != vocab.chars or len(data.train) + len(data.val) != state.text_length:
        raise UserError(f"{text} is not the text {paths.last} was trained on")
    done = state.step if resume else 0
    state = train(model, vocab, data, paths, state, optimizer_state, hidden, progress, stop)
    if resume and state.step == done:
        warnings.warn(f"nothing to resume: the run in {paths.last} has done its {done:,} "
                      f"steps; raise --steps or --epochs to train longer", Advice, stacklevel=2)
    uniform = math.log(len(vocab))
    if state.best_val > uniform:
        warnings.warn(f"the best validation loss, {state.best_val:.4f} nats/char, is worse "
                      f"than guessing uniformly among the {len(vocab)} characters "
                      f"({uniform:.4f}): the model learned nothing; try a lower --lr (now "
                      f"{config.lr:g})", Advice, stacklevel=2)
    return model, vocab, state


def _refuse_earlier_run(paths, allowed):
    """Unless `allowed`, refuse to overwrite a model or an earlier run's state."""
    if paths.best.exists() and not paths.last.exists() and not allowed:
        raise UserError(f"{paths.best} exists: training would replace it with the new run's "
                        f"model; add --force to replace it, or choose another -o")
    if paths.last.exists() and not allowed:
        raise UserError(f"{paths.last} holds an earlier run: add --resume to continue it, or "
                        f"--force to start over")


def _resumed(last, changes):
    """The run saved in `last`, with `changes` to its settings; a new lr applies from here
    on, the decay after each epoch going on from it."""
    if set(changes) - set(RESUME_CHANGES):
        raise ValueError(f"a resumed run can change only {', '.join(RESUME_CHANGES)}")
    if not last.is_file():
        raise UserError(f"nothing to resume: no {last}")
    model, vocab, state, optimizer_state, hidden = load(last)
    model.config = replace(model.config, **changes)
    if "lr" in changes:
        state.lr = model.config.lr
    return model, vocab, state, optimizer_state, hidden


def _warn_untrained(vocab, base_vocab, text, init_from):
    """Name the characters of `text` the model of `init_from` never saw."""
    added = "".join(c for c in vocab.chars if c not in base_vocab)
    if added:
        warnings.warn(f"{len(added)} character{'s' * (len(added) > 1)} of {text} that "
                      f"{init_from} never saw start untrained: "
                      f"{', '.join(map(repr, added[:20]))}{' ...' if len(added) > 20 else ''}",
                      Advice, stacklevel=3)


def _validate(model, vocab, text, paths, state, opt, hidden, rate):
    """Log train and validation loss; save the latest state, and the model if best."""
    val = evaluate(model, text.val)
    train_loss = float(np.mean(state.losses)) if state.losses else math.nan
    state.losses = []
    entry = {"step": state.step, "epoch": state.epoch, "train_loss": train_loss,
             "val_loss": val, "val_bpc": val / math.log(2), "chars_per_s": rate, "lr": opt.lr}
    state.log.append(entry)
    if val < state.best_val or not math.isfinite(state.best_val):
        state.best_val = val
        save(paths.best, model, vocab, state)
    had_last = paths.last.exists()
    try:
        save(paths.last, model, vocab, state, opt, hidden)
    except OSError as e:
        before = (f"; {paths.last} still holds the run's previous state, which --resume "
                  f"continues once that is fixed") if had_last else ""
        raise UserError(f"could not write {paths.last}: {e.strerror or e}. The best model so "
                        f"far (validation loss {state.best_val:.4f}) is safe in "
                        f"{paths.best}{before}") from None
    with atomic_write(paths.log) as f:
        f.write(",".join(LOG_FIELDS) + "\n")
        f.writelines(",".join(f"{e[k]:.6g}" for k in LOG_FIELDS) + "\n" for e in state.log)


def evaluate(model, ids, batch=64, seq_len=200, min_stream=1000, progress=False):
    """Mean loss in nats per character of predicting each character of `ids` from the ones
    before it, in evaluation mode: `ids` is read as up to `batch` parallel streams of at
    least `min_stream` characters (so that every prediction but the first few of a stream
    has context), the state carried through each."""
    if len(ids) < 2:
        raise UserError(f"a text to evaluate needs at least 2 characters, not {len(ids)}")
    batch = max(1, min(batch, (len(ids) - 1) // min_stream))
    data = streams(ids, batch, 1, "the text to evaluate")
    model.eval()
    total, count, hidden = 0.0, 0, None
    with progress_bar(data.size - batch, "char", progress) as bar:
        for i in range(-(-(data.shape[1] - 1) // seq_len)):   # the last window may be shorter
            x, y = window(data, i, seq_len)
            logits, hidden, _ = model.forward(x, hidden)
            loss, _ = nn.softmax_cross_entropy(logits, y, reduction="sum")
            total, count = total + loss, count + y.size
            bar.update(y.size)
            bar.set_postfix(loss=f"{total / count:.4f}", refresh=False)
    model.train()
    return total / count


def save(path, model, vocab, state, optimizer=None, hidden=None):
    """A checkpoint with everything sampling needs (weights, vocabulary, config) and, with
    `optimizer` and `hidden`, what resuming needs (their state, the random generator's)."""
    arrays = {}
    for i, layer in enumerate(hidden or ()):
        arrays.update({f"hidden.{i}.{k}": s for k, s in enumerate(layer)})
    nn.save_checkpoint(path, model, optimizer, arrays, config=model.config.to_dict(),
                       chars=vocab.chars, state=asdict(state),
                       rng=model.rng.bit_generator.state)


def load(path):
    """(model, vocab, state, optimizer state, hidden state) from a checkpoint."""
    ckpt = nn.load_checkpoint(path)
    try:
        config = CharConfig.from_dict(ckpt.meta["config"])
        vocab = CharVocab(ckpt.meta["chars"])
        model = CharRNN(config, len(vocab))
        model.load_state_dict(ckpt.model)
        model.rng.bit_generator.state = ckpt.meta["rng"]
        state = TrainState(**ckpt.meta["state"])
    except KeyError as e:
        raise UserError(f"{path} is not a charlm checkpoint: it has no {e.args[0]!r}") from None
    except (TypeError, ValueError) as e:
        raise UserError(f"{path} is not a charlm checkpoint: {e}") from None
    layers = {}
    for name, a in ckpt.arrays.items():   # hidden.<layer>.<part>
        _, i, k = name.split(".")
        layers.setdefault(int(i), {})[int(k)] = a
    hidden = tuple(tuple(parts[k] for k in sorted(parts))
                   for _, parts in sorted(layers.items())) or None
    return model, vocab, state, ckpt.optimizer, hidden
