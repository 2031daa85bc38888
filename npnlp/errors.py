"""The one exception type the toolkit raises for bad user input (files, settings, data)."""


class UserError(ValueError):
    """A problem the user can fix; command-line tools print it as one line and exit 1.

    A `ValueError`, so that Python callers can catch the toolkit's and NumPy's complaints
    about bad values as one family.
    """
