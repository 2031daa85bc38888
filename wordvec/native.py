"""The toolkit's own format: a folder of `.npy` arrays, the words, and a JSON config.

    vectors.npy    (V, D) float32: the word vectors (word2vec's input weights)
    words.txt      the V words, one per line, in row order
    counts.npy     (V,) int64 corpus counts (when known)
    config.json    how the vectors were made (and whatever else the writer keeps)
    <name>.npy     any further array, such as the output weights a trainer resumes from

The arrays are memory-mapped when read, so a 1 M x 300 table opens without reading it.
"""
import json
import os
import shutil
from pathlib import Path

import numpy as np

from npnlp.errors import UserError
from npnlp.files import temporary_beside

WORDS, CONFIG = "words.txt", "config.json"


def save_native(folder, words, arrays, config=None):
    """Write `arrays` ({name: array}, `vectors` among them), `words` and `config` into
    `folder`, all at once: a new folder is filled beside it and renamed into place, so an
    interrupted save leaves the previous one whole."""
    folder = Path(folder)
    if folder.exists() and not is_native_folder(folder):
        raise UserError(f"{folder} exists and is not a folder of saved vectors: not "
                        f"overwriting it")
    words = list(words)
    if any("\n" in w or "\r" in w for w in words):
        raise UserError("a word contains a line break: it cannot be saved")
    tmp = temporary_beside(folder)
    try:
        tmp.mkdir()
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.asarray(array))
        (tmp / WORDS).write_text("".join(w + "\n" for w in words), encoding="utf-8")
        (tmp / CONFIG).write_text(json.dumps(config or {}, indent=1), encoding="utf-8")
        _replace_folder(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_native(folder, mmap=True):
    """(words, {name: array}, config) from a folder written by `save_native`; the arrays
    memory-mapped read-only unless `mmap` is false."""
    folder = Path(folder)
    part = WORDS   # what is being read, for the error
    try:
        words = (folder / WORDS).read_text(encoding="utf-8").split("\n")[:-1]
        part = CONFIG
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        arrays = {}
        for path in sorted(folder.glob("*.npy")):
            part = path.name
            arrays[path.stem] = np.load(path, mmap_mode="r" if mmap else None)
    except FileNotFoundError:
        raise UserError(f"{folder} is not a folder of saved vectors (it needs {WORDS}, "
                        f"{CONFIG} and vectors.npy)") from None
    except (ValueError, UnicodeDecodeError, EOFError) as e:   # EOFError: an empty .npy
        reason = "empty" if isinstance(e, EOFError) else e
        raise UserError(f"{folder}: damaged saved vectors ({part}: {reason})") from None
    if "vectors" not in arrays or len(arrays["vectors"]) != len(words):
        raise UserError(f"{folder}: {len(words)} words do not match the vectors saved beside "
                        f"them")
    return words, arrays, config


def load_config(folder):
    """The config saved in a native folder, without reading its words or arrays."""
    try:
        return json.loads((Path(folder) / CONFIG).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, UnicodeDecodeError):
        raise UserError(f"{folder} is not a folder of saved vectors") from None


def is_native(path):
    """Whether `path` names a native folder rather than a word2vec file."""
    return Path(path).is_dir()


def is_native_folder(folder):
    """Whether `folder` holds vectors saved by `save_native` (so a save may replace it)."""
    return (Path(folder) / WORDS).is_file() and (Path(folder) / CONFIG).is_file()


def _replace_folder(new, folder):
    """Rename `new` to `folder`, moving an existing `folder` aside first and removing it
    after: a crash between the renames leaves both, never neither (and the next save in
    that folder removes what is left, once a day old)."""
    old = None
    if folder.exists():
        old = temporary_beside(folder)
        os.replace(folder, old)
    os.replace(new, folder)
    if old is not None:
        shutil.rmtree(old)
