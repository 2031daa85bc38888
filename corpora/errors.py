"""The one exception type the toolkit raises for bad user input (files, settings, data)."""


class UserError(Exception):
    """A problem the user can fix; command-line tools print it as one line and exit 1."""
