"""`kptj registry import`, `kptj records import`, `kptj audit`, `kptj units`."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the registry commands to the main app."""
