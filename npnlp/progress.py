"""Progress bars on standard error, shown only when it is a terminal."""
import sys

from tqdm import tqdm


def progress_bar(total=None, unit="it", enabled=True, **kwargs):
    """A tqdm bar on stderr; off when `enabled` is false or stderr is not a terminal (a log
    file, a pipe, CI). `unit="B"` scales the rate to kB/s, MB/s."""
    return tqdm(total=total, unit=unit, unit_scale=True, leave=False, file=sys.stderr,
                dynamic_ncols=True, disable=None if enabled else True, **kwargs)
