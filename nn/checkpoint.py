"""Checkpoints: a model's parameters, its optimizer's state and JSON metadata (config, step,
vocabulary, random state) in one `.npz`, written atomically, every array keyed by name."""
import io
import json
import zipfile
from typing import NamedTuple

import numpy as np

from nn.module import save_npz
from npnlp.errors import UserError
from npnlp.files import stream_bytes


class Checkpoint(NamedTuple):
    model: dict       # parameter name -> array, for Module.load_state_dict
    optimizer: dict   # state key -> array, for Optimizer.load_state_dict ({} if none saved)
    arrays: dict      # any other named arrays saved (a carried hidden state, ...)
    meta: dict


def save_checkpoint(path, model, optimizer=None, arrays=None, **meta):
    """Write `model`'s parameters, `optimizer`'s state, further named `arrays` and `meta`
    (JSON-serialisable values) to `path`; an interrupted save leaves the previous file
    intact."""
    saved = {f"model/{name}": a for name, a in model.state_dict().items()}
    if optimizer is not None:
        saved.update({f"optimizer/{key}": a for key, a in optimizer.state_dict().items()})
    saved.update({f"arrays/{name}": a for name, a in (arrays or {}).items()})
    saved["meta"] = np.array(json.dumps(meta))
    save_npz(path, saved)


def load_checkpoint(path):
    """Read a checkpoint written by `save_checkpoint`. Build the model from `meta` (its
    config), then `model.load_state_dict(ckpt.model)`."""
    try:
        data = stream_bytes(path)   # an .npz cannot be read from a pipe in place
        loaded = np.load(path if data is None else io.BytesIO(data))
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("a single array, not an .npz of named arrays")
        with loaded as f:
            arrays = dict(f)
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        if isinstance(e, (FileNotFoundError, IsADirectoryError)):
            raise
        reason = "no metadata" if isinstance(e, KeyError) else (
            "not a NumPy file" if "pickle" in str(e) else str(e) or type(e).__name__)
        raise UserError(f"{path} is not a checkpoint: {reason}") from None
    parts = {"model": {}, "optimizer": {}, "arrays": {}}
    for key, a in arrays.items():
        part, _, name = key.partition("/")
        if part not in parts:
            raise UserError(f"{path} is not a checkpoint: unexpected entry {key!r}")
        parts[part][name] = a
    return Checkpoint(parts["model"], parts["optimizer"], parts["arrays"], meta)
