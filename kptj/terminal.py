"""Rich consoles for the CLI: full cells when the output is a pipe or a file, not 80 columns."""

from __future__ import annotations

import sys

from rich.console import Console

# Wide enough for any cell; Rich tables are as wide as their content, so nothing is padded to it.
PIPE_WIDTH = 100_000


def console(stderr: bool = False) -> Console:
    """A console for stdout (or stderr). On a terminal Rich fits the window; elsewhere (`kptj status |
    less`, a log file, cron mail) every value is printed whole."""
    stream = sys.stderr if stderr else sys.stdout
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        tty = False
    return Console(stderr=stderr, width=None if tty else PIPE_WIDTH)
