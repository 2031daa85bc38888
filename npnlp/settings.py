"""Settings dataclasses that are saved with a model and read back from it."""
from dataclasses import asdict, fields


class Saved:
    """A mixin for a settings dataclass: `to_dict` for a checkpoint's JSON, `from_dict` to
    rebuild it, ignoring keys it no longer has (a checkpoint from another version)."""

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, saved):
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in saved.items() if k in known})
