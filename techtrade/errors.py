"""The two kinds of error a user can fix, each a one-line message (no heavy imports here)."""


class DataError(ValueError):
    """Bad input data. The message is one line: file, line, column, what is wrong."""


class ParameterError(ValueError):
    """A parameter the data cannot serve. The message is one line naming it and what is allowed."""
