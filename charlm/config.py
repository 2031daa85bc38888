"""The settings of a character language model and of its training, one dataclass that checks
itself and is saved in every checkpoint."""
from dataclasses import dataclass

from npnlp.errors import UserError, check_count
from npnlp.settings import Saved

CELLS = ("rnn", "lstm", "gru")
OPTIMIZERS = ("adam", "adagrad", "sgd")


@dataclass(frozen=True)
class CharConfig(Saved):
    """char-rnn's knobs under its names where it has them.

    cell, hidden, layers, embed: the network (a character embedding of `embed` dimensions,
        `layers` recurrent cells of `hidden` units, a linear layer to the characters).
    dropout: between recurrent layers and before the output layer, in training only.
    seq_len: steps of truncated backpropagation; batch: parallel streams over the text.
    epochs / steps: how long to train (steps wins when given).
    lr, lr_decay, decay_after: the learning rate, multiplied by lr_decay after every epoch
        from epoch `decay_after` on (char-rnn's learning_rate_decay).
    clip: the global gradient norm is scaled down to at most this.
    val_fraction: the end of the text kept for validation; eval_every: steps between two
        validations (and checkpoints).
    """

    cell: str = "lstm"
    hidden: int = 256
    layers: int = 2
    embed: int = 64
    dropout: float = 0.2
    seq_len: int = 100
    batch: int = 64
    epochs: int = 10
    steps: int | None = None
    optimizer: str = "adam"
    lr: float = 2e-3
    lr_decay: float = 0.97
    decay_after: int = 5
    clip: float = 5.0
    val_fraction: float = 0.1
    eval_every: int = 200
    seed: int = 1

    def __post_init__(self):
        if self.cell not in CELLS:
            raise UserError(f"cell must be one of {', '.join(CELLS)}, not {self.cell!r}")
        if self.optimizer not in OPTIMIZERS:
            raise UserError(f"optimizer must be one of {', '.join(OPTIMIZERS)}, "
                            f"not {self.optimizer!r}")
        for name in ("hidden", "layers", "embed", "seq_len", "batch", "epochs", "eval_every"):
            check_count(name, getattr(self, name))
        if self.steps is not None:
            check_count("steps", self.steps)
        check_count("seed", self.seed, minimum=0)
        check_count("decay_after", self.decay_after, minimum=0)
        for name, low, high in (("dropout", 0, 1), ("val_fraction", 0, 1)):
            if not low <= getattr(self, name) < high:
                raise UserError(f"{name} must be in [{low}, {high}), not {getattr(self, name)}")
        if not self.lr > 0 or not 0 < self.lr_decay <= 1 or not self.clip > 0:
            raise UserError(f"need lr > 0, 0 < lr_decay <= 1 and clip > 0, not lr {self.lr}, "
                            f"lr_decay {self.lr_decay}, clip {self.clip}")
