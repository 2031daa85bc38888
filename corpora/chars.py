"""Character vocabulary for character-level language models."""
import json

import numpy as np

from npnlp.errors import UserError
from npnlp.files import atomic_write


class CharVocab:
    """Characters ordered by code point; a character's id is its position in `chars`.

    unk: the character that stands for any character not in the vocabulary when encoding
        (it is added to the vocabulary); without one, encoding an unseen character is an
        error. U+FFFD, which reading puts in place of invalid bytes, is a natural choice.
    """

    def __init__(self, chars, unk=None):
        if unk is not None and len(unk) != 1:
            raise UserError(f"the unknown-character stand-in must be one character, not {unk!r}")
        self.chars = "".join(sorted(set(chars) | set(unk or "")))
        if not self.chars:
            raise UserError("empty character vocabulary")
        self.unk = unk
        self._codepoints = _codepoints(self.chars)

    @classmethod
    def build(cls, text, unk=None):
        """The vocabulary of every character in `text`, a str or an iterable of str chunks
        (such as `read.read_text(path)`)."""
        seen = set()
        for chunk in [text] if isinstance(text, str) else text:
            seen.update(chunk)
        return cls(seen, unk)

    def __len__(self):
        return len(self.chars)

    def __contains__(self, char):
        return len(char) == 1 and char in self.chars

    def __repr__(self):
        return f"CharVocab({self.chars!r}, unk={self.unk!r})"

    def encode(self, text):
        """The ids of the characters of `text`, an int32 array."""
        codepoints = _codepoints(text)
        ids = np.searchsorted(self._codepoints, codepoints).clip(max=len(self) - 1)
        unseen = self._codepoints[ids] != codepoints
        if unseen.any():
            if self.unk is None:
                char = text[np.argmax(unseen)]
                raise UserError(f"the character {char!r} (U+{ord(char):04X}) is not in the "
                                f"vocabulary, and it has no unknown-character stand-in")
            ids[unseen] = self.chars.index(self.unk)
        return ids.astype(np.int32)

    def decode(self, ids):
        """The text of an array of ids."""
        return self._codepoints[np.asarray(ids)].tobytes().decode("utf-32-le")

    def save(self, path):
        """Write the vocabulary as JSON, atomically."""
        with atomic_write(path) as f:
            json.dump({"chars": self.chars, "unk": self.unk}, f)

    @classmethod
    def load(cls, path):
        """Read a vocabulary written by `save`."""
        try:
            with open(path, encoding="utf-8") as f:
                saved = json.load(f)
            return cls(saved["chars"], saved["unk"])
        except (ValueError, KeyError, TypeError):
            raise UserError(f"{path} is not a character vocabulary saved by CharVocab") from None


def _codepoints(text):
    """The code points of `text` as a little-endian uint32 array."""
    return np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
