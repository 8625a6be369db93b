"""Evaluation harness: generate a world, run the daily job on it, score against the ground truth.

    python -m tests.bench.evaluate --units 300 [--seed 7] [--world DIR] [--tesseract-pages 20]

Prints one table: precision/recall per finding kind, unit identification, figures sent to a
human (and where they are: tests.bench.eval_breakdown), pages/s and time per stage, peak memory,
and full-page Tesseract on the same pages.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from kptj.daily_run import run_daily
from kptj.workspace import Workspace
from ocr.engines import rapid
from registry.models import Document, Finding, Page, Reading, Unit
from registry.template import default_template
from tests.bench.eval_breakdown import breakdown, report
from tests.bench.scoring import rows_not_found, score_automation, score_findings, score_identity, unobservable
from tests.bench.stage_cpu import stage_line
from tests.bench.world_setup import add_world_options, generate_world, load_registry, needs_world


def _pct(x: float | None) -> str:
    return "   -  " if x is None else f"{100 * x:6.1f}%"


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def figure_checks(s) -> tuple[int, int, int, int]:  # noqa: ANN001
    """(figures compared with an online value, figure_unreadable findings, scan_illegible findings,
    rows those hold) over all documents,
    superseded ones included; rows on a missing page are covered by page_missing, not counted."""
    n_codes = len(default_template().codes)
    docs = s.scalar(select(func.count(func.distinct(Finding.document_id)))
                    .where(Finding.kind.in_(["figure_mismatch", "figure_unreadable"]))) or 0
    docs_with_readings = s.scalar(select(func.count(func.distinct(Page.document_id)))
                                  .join(Reading, Reading.page_id == Page.id)) or 0
    not_checked = sum(len((f.detail or {}).get("indicators_not_checked") or [])
                      for f in s.scalars(select(Finding).where(Finding.kind == "page_missing")))
    to_human = s.scalar(select(func.count()).select_from(Finding).where(Finding.kind == "figure_unreadable")) or 0
    rescans = list(s.scalars(select(Finding).where(Finding.kind == "scan_illegible")))
    on_rescan = sum(len((f.detail or {}).get("indicators_not_checked") or []) for f in rescans)
    return max(docs, docs_with_readings) * n_codes - not_checked, to_human, len(rescans), on_rescan


def tesseract_compare(ws: Workspace, world: Path, n: int, seed: int) -> dict:
    """Full-page Tesseract chi_sim (what OCRmyPDF/paperless do) on a sample of our normalised pages."""
    import pytesseract
    from PIL import Image

    truth_pages = {}
    for line in (world / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        for pt in d["pages"]:
            truth_pages[(d["account"], pt["page"])] = {f["code"]: f["text"] for f in pt.get("figures", [])}
    with ws.session() as s:
        rows = s.execute(select(Page, Unit.account).join(Document, Page.document_id == Document.id)
                         .join(Unit, Document.unit_id == Unit.id)).all()
        rows = [(p, a) for p, a in rows if p.image_path and p.page_no and (a, p.page_no) in truth_pages]
        random.Random(seed).shuffle(rows)
        rows = rows[:n]
        ours_ok = ours_total = 0
        for p, a in rows:
            truth = truth_pages[(a, p.page_no)]
            got = dict(s.execute(select(Reading.code, Reading.value).where(Reading.page_id == p.id)).all())
            for code, text in truth.items():
                ours_total += 1
                want = None if text.strip() == "-" else text.replace(",", "")
                ours_ok += (got.get(code) == want) or (code in got and got[code] is not None and want is not None
                                                       and float(got[code]) == float(want))
    tess_ok = tess_total = 0
    t0 = time.perf_counter()
    for p, a in rows:
        text = pytesseract.image_to_string(Image.open(p.image_path), lang="chi_sim")
        tokens = re.findall(r"\d+(?:\.\d+)?|-", text.replace(",", ""))
        for fig in truth_pages[(a, p.page_no)].values():
            tess_total += 1
            tess_ok += fig.replace(",", "") in tokens  # generous: anywhere on the page counts
    secs = time.perf_counter() - t0
    return {"pages": len(rows), "tess_s_per_page": secs / max(1, len(rows)),
            "tess_figures": tess_ok / max(1, tess_total), "ours_figures": ours_ok / max(1, ours_total)}


def main() -> None:
    ap = argparse.ArgumentParser()
    add_world_options(ap, units=300, seed=7)
    ap.add_argument("--tesseract-pages", type=int, default=20)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kptj-eval-"))
    world = a.world or tmp / "world"
    times: dict[str, float] = {}
    if needs_world(world):
        t0 = time.perf_counter()
        generate_world(world, a.units, a.seed, a.printers)
        times["synth"] = time.perf_counter() - t0
    truth = json.loads((world / "truth.json").read_text(encoding="utf-8"))
    ws = Workspace.from_options(str(a.workspace or tmp / "ws"))
    t0 = time.perf_counter()
    load_registry(ws, world)
    times["import"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = run_daily(ws, [str(world / "mail")], workers=a.workers)
    times["run_total"] = time.perf_counter() - t0
    times.update({k: v for k, v in summary.seconds.items()})
    t0 = time.perf_counter()
    again = run_daily(ws, [str(world / "mail")], workers=a.workers)
    times["rerun_no_new_mail"] = time.perf_counter() - t0
    assert not again.changed

    with ws.session() as s:
        kinds = score_findings(s, truth, world)
        ident = score_identity(s, truth)
        auto = score_automation(s, truth, world)
        unfound = rows_not_found(s, world)
        readings = s.scalar(select(func.count()).select_from(Reading))
        unreadable = s.scalar(select(func.count()).select_from(Reading).where(Reading.decision == "unreadable"))
        differs = s.scalar(select(func.count()).select_from(Reading).where(Reading.decision == "differs"))
        checks, to_human, rescans, on_rescan = figure_checks(s)
        where = report(breakdown(s, world))
        stage_cpu = [d.get("stage_cpu") or {} for d in s.scalars(select(Page.detail)) if d]
    tess = tesseract_compare(ws, world, a.tesseract_pages, a.seed) if a.tesseract_pages else None

    print(f"\n== kptj evaluation: {truth['units']} units, seed {truth['seed']}, {summary.pages} pages read, "
          f"{platform.processor() or platform.machine()}, {a.workers} workers, models on {rapid.runtime_id()}")
    print(f"{'kind':<20}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>9}")
    for k, sc in kinds.items():
        print(f"{k:<20}{sc.tp:>5}{sc.fp:>5}{sc.fn:>5}{_pct(sc.precision):>11}{_pct(sc.recall):>9}")
    hidden = unobservable(truth)
    if hidden:
        print(f"planted faults no reader could see, left out of recall ({len(hidden)}): "
              + ", ".join(f"{f['account']} {f['kind']} p{f.get('page')} ({why})" for f, why in hidden))
    print(f"\nunit identification: {ident.correct}/{ident.documents} correct "
          f"({_pct(ident.correct / max(1, ident.documents)).strip()}), wrong unit {ident.wrong}, "
          f"unknown {ident.unknown}, not found {ident.not_found}")
    print(f"figures: {readings} read, sent to a human (unreadable) {unreadable} "
          f"({_pct(unreadable / max(1, readings)).strip()}), differs {differs}")
    print(f"figure checks (documents x indicators, less rows on missing pages): {checks}, "
          f"figure_unreadable findings {to_human} ({_pct(to_human / max(1, checks)).strip()}); "
          f"{rescans} pages reported illegible (rescan), holding {on_rescan} rows "
          f"(together {_pct((to_human + on_rescan) / max(1, checks)).strip()})")
    for line in where:
        print(line)
    print("rows not found (printer:layout not-found/figures printed): "
          + ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(unfound.items())))
    ok, total = auto.fault_free.get("all", [0, 0])
    print(f"\nAUTOMATION: fault-free units ok (no human look) {ok}/{total} ({_pct(ok / max(1, total)).strip()}); "
          f"units with a planted fault that came out ok: {len(auto.faulty_accepted)} of {auto.faulty}")
    for g, (gok, gtotal) in sorted(auto.fault_free.items()):
        if g != "all":
            print(f"  {g:<22} {gok:>4}/{gtotal:<4} {_pct(gok / max(1, gtotal)).strip()}")
    print("  what still sends fault-free units to a person: "
          + (", ".join(f"{k} {v}" for k, v in sorted(auto.blockers.items(), key=lambda kv: -kv[1])) or "nothing"))
    if auto.faulty_accepted:
        print(f"  planted faults accepted: {auto.faulty_accepted[:10]}")
    read_s = times.get("read+match", times["run_total"])
    print(f"pages/s (read+match): {summary.pages / max(read_s, 1e-9):.2f}; peak memory {_peak_mb():.0f} MB")
    print("time per stage (s): " + ", ".join(f"{k} {v:.1f}" for k, v in times.items()))
    print(stage_line(stage_cpu))
    if tess:
        print(f"full-page Tesseract chi_sim on {tess['pages']} of the same pages: {tess['tess_s_per_page']:.1f} s/page, "
              f"figures found {_pct(tess['tess_figures']).strip()} vs ours {_pct(tess['ours_figures']).strip()}; "
              f"speed ratio ours/tesseract {tess['tess_s_per_page'] / max(read_s / max(summary.pages, 1), 1e-9):.1f}x")
    for k, sc in kinds.items():
        if sc.missed or sc.extra:
            print(f"  {k}: missed {sc.missed[:5]} extra {sc.extra[:5]}")
    if ident.wrong_list:
        print(f"  wrong units: {ident.wrong_list[:10]}")
    print(f"workspace: {ws.home}")


if __name__ == "__main__":
    main()
