"""The one exception type the toolkit raises for bad user input (files, settings, data), the
warning it gives about a run that goes ahead, and the check of a setting that must be a whole
number."""
import numbers
import unicodedata


class UserError(ValueError):
    """A problem the user can fix; command-line tools print it as one line and exit 1.

    A `ValueError`, so that Python callers can catch the toolkit's and NumPy's complaints
    about bad values as one family.
    """


def quoted(text):
    """`text` quoted for a message as repr() does, with a bare combining mark (one that
    follows no letter or digit, such as the quote) also escaped as \\u0301: printed, it
    would fuse with the quote."""
    out = []
    for c in repr(text):
        bare = not out or unicodedata.category(out[-1][-1])[0] not in "LN" or len(out[-1]) > 1
        mark = unicodedata.category(c) in ("Mn", "Me")
        out.append(f"\\u{ord(c):04x}" if mark and bare else c)
    return "".join(out)


class Advice(UserWarning):
    """Something the user should know about a run that still goes ahead (a corpus too small
    to learn much, more workers than cores); command-line tools print it as one line."""


def check_count(name, value, minimum=1):
    """A setting that counts something (min_count, sentences, epochs) must be a whole number
    of at least `minimum`: 2.5 or True are refused rather than silently used."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise UserError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
