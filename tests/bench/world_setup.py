"""What the benchmarks that run on a whole synthetic world share: its options, the world
itself (generated unless reused) and the registry loaded from it."""

from __future__ import annotations

import argparse
from pathlib import Path

from kptj.workspace import Workspace
from registry.records_import import import_records
from registry.roster_import import import_roster
from registry.template import default_template


def add_world_options(ap: argparse.ArgumentParser, *, units: int, seed: int) -> None:
    ap.add_argument("--units", type=int, default=units)
    ap.add_argument("--seed", type=int, default=seed)
    ap.add_argument("--world", type=Path, help="reuse a world made by `kptj synth` (else generated)")
    ap.add_argument("--workspace", type=Path)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--printers", default="mixed", help="reportlab | mixed | chromium (synth.world)")


def needs_world(world: Path) -> bool:
    return not (world / "truth.json").exists()


def generate_world(world: Path, units: int, seed: int, printers: str = "mixed") -> None:
    from synth.world import build_world, check_printers
    if printers == "mixed" and check_printers(printers) == 0.0:
        print("WARNING: no /usr/bin/chromium: this world is printed by reportlab only (one printing path)")
    build_world(units=units, seed=seed, out=world, printers=printers)


def load_registry(ws: Workspace, world: Path) -> None:
    """The world's roster and online records into the workspace's database."""
    with ws.session() as s:
        import_roster(s, world / "roster.xlsx", ws.year)
        import_records(s, world / "records.xlsx", default_template(), ws.year)
