"""What both trainers share: how a run stops early and how a diverging loss is told."""
import math

from npnlp.errors import UserError

EXPLODED = 10   # a loss above 10 x the untrained model's (a uniform guess) has diverged


class Interrupted(Exception):
    """Ctrl-C arrived: the run stopped between two steps; `state` is where it stands, saved
    so that it resumes exactly."""

    def __init__(self, state):
        super().__init__(state)
        self.state = state


class Diverged(UserError):
    """The loss became non-finite or exploded; the last checkpoint is kept. `what` says so,
    `advice` names the likely cause from the run's settings."""

    def __init__(self, what, advice):
        super().__init__(f"{what}: {advice}")
        self.what, self.advice = what, advice


def exploded(loss, untrained):
    """Whether `loss` is not finite or above EXPLODED times `untrained`, the loss of the
    model before training on the same predictions."""
    return not math.isfinite(loss) or loss > EXPLODED * untrained
