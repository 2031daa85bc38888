"""Ctrl-C as a request to stop at the next safe point, for long training loops."""
import signal


class stop_on_ctrl_c:
    """Within the block, Ctrl-C sets a flag, returned as a callable to check between steps,
    instead of raising KeyboardInterrupt in the middle of an update (a half-applied step);
    a second Ctrl-C raises at once."""

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
