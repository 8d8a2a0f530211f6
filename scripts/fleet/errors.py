"""The one error type the CLI reports as a single readable line."""


class FleetError(Exception):
    """A problem the user can fix; its message is shown as one line, never a traceback."""
