"""What every package of the toolkit shares: the user-error type, atomic writes, the cache
folder, progress bars and the command-line group that turns errors into one line."""
from npnlp.errors import UserError
from npnlp.files import atomic_write, cache_root

__all__ = ["UserError", "atomic_write", "cache_root"]
