"""The library's error hierarchy.

The CLI turns :class:`UsageError` into exit code 2 and every other :class:`RangecalcError` into exit
code 1, in one place (``rangecalc.cli.main``). Messages are one line, name the bad value, and say what is
accepted.
"""


class RangecalcError(Exception):
    """Base class of every error rangecalc raises on purpose."""


class UsageError(RangecalcError, ValueError):
    """Bad input typed by a person: an unknown name, a malformed coordinate, a bad unit."""


class DataError(RangecalcError):
    """A data file that cannot be read or does not validate; the message names the file and key."""


class NotFoundError(UsageError, LookupError):
    """A name that resolves to nothing; the message suggests close matches."""
