"""The error every data problem becomes: one sentence naming the file and the fix."""


class DataError(ValueError):
    """Raised when a data file cannot be used; the message names the file and the fix."""
