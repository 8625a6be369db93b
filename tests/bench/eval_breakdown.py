"""Where the evaluation's figures sent to a human are, by the world's truth (scan profile, dpi,
seal over the figure), and how many printed figures were read as a "-" sure enough to confirm
"no value": each of those would hide a difference if the unit had left the figure empty online.

    python -m tests.bench.eval_breakdown --world DIR --workspace DIR   (after tests.bench.evaluate)

A (unit, indicator) is attributed to the world's last scan of that unit holding it.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kptj.workspace import Workspace
from ocr.decide import MATCH_MIN
from ocr.figures import parse_number
from registry.models import Document, Finding, Page, Reading, Unit


def printed(world: Path) -> dict[tuple[str, str], dict]:
    """(account, code) -> {"profile", "dpi", "under_seal", "text"} of the last scan holding it."""
    out: dict[tuple[str, str], dict] = {}
    for line in (world / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        for page in json.loads(line)["pages"]:
            for fig in page.get("figures", []):
                out[(page["account"], fig["code"])] = {"profile": page["profile"], "dpi": page["dpi"],
                                                       "under_seal": fig["under_seal"], "text": fig["text"]}
    return out


def breakdown(s: Session, world: Path) -> dict[str, Counter]:
    truth = printed(world)
    totals: Counter = Counter(t["profile"] for t in truth.values())
    by: dict[str, Counter] = {"profile": Counter(), "dpi": Counter(), "under_seal": Counter(),
                              "printed": Counter(), "figures_per_profile": totals, "unattributed": Counter()}
    rows = s.execute(select(Unit.account, Finding.indicator).join(Unit, Unit.id == Finding.unit_id)
                     .where(Finding.kind == "figure_unreadable"))
    for account, code in rows:
        t = truth.get((account, code))
        if t is None:
            by["unattributed"]["figure_unreadable"] += 1
            continue
        by["profile"][t["profile"]] += 1
        by["dpi"][t["dpi"]] += 1
        by["under_seal"][t["under_seal"]] += 1
        by["printed"]["-" if t["text"] == "-" else "figure"] += 1
    by["dash_for_figure"] = Counter()
    readings = s.execute(select(Unit.account, Reading.code, Reading.text, Reading.value, Reading.confidence)
                         .join(Page, Page.id == Reading.page_id).join(Document, Document.id == Page.document_id)
                         .join(Unit, Unit.id == Document.unit_id))
    for account, code, text, value, conf in readings:
        t = truth.get((account, code))
        if t and t["text"] != "-" and value is None and parse_number(text or "", 0)[2] and (conf or 0) >= MATCH_MIN:
            by["dash_for_figure"][t["profile"]] += 1
    return by


def report(by: dict[str, Counter]) -> list[str]:
    totals = by["figures_per_profile"]
    lines = ["figure_unreadable by scan profile (of the figures printed on that profile): " + ", ".join(
        f"{p} {by['profile'][p]}/{n} ({100 * by['profile'][p] / max(1, n):.1f} %)" for p, n in sorted(totals.items()))]
    lines.append(f"  by dpi {dict(sorted(by['dpi'].items()))}; under a seal {by['under_seal'][True]}, "
                 f"not {by['under_seal'][False]}; printed '-' {by['printed']['-']}, printed figure "
                 f"{by['printed']['figure']}; not attributed {by['unattributed']['figure_unreadable']}")
    n = sum(by["dash_for_figure"].values())
    lines.append(f"printed figures read as '-' sure enough to confirm an empty online value "
                 f"(confidence >= {MATCH_MIN}): {n} {dict(by['dash_for_figure'])}")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True, type=Path)
    ap.add_argument("--workspace", required=True)
    a = ap.parse_args()
    with Workspace.from_options(a.workspace).session() as s:
        for line in report(breakdown(s, a.world)):
            print(line)


if __name__ == "__main__":
    main()
