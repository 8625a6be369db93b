"""Benchmark of the scan reader over a synthetic world (issue 5 targets).

    python tests/bench/bench_read.py --units 60 --seed 11 --workers 2 --tess-pages 12 [--keep DIR [--reuse]]

Builds units with synth (layouts A/B/C; colour, grey, bw, clean, phone and upside-down scans;
seals often forced over the value column), writes them as the mailbox would carry them (one PDF
per unit, merged PDFs of several units, one JPG per page), injects differences between paper and
"online" values, reads everything with ocr.read_pages on a process pool and prints:
unit identification, recall of injected differences, false "differs", unreadable, pages/s, and
full-page Tesseract chi_sim on a sample of the same pages in the same run (speed and figure
read rate), with the ratio.
"""

from __future__ import annotations

import argparse
import os
import pickle
import random
import re
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

from ocr import decide, read_pages, split  # noqa: E402
from ocr.model import DocumentReading  # noqa: E402
from ocr.quality import legibility  # noqa: E402
from registry.template import default_template  # noqa: E402
from synth.pages import make_pages  # noqa: E402
from synth.roster import build_roster  # noqa: E402
from synth.scanner import images_to_pdf  # noqa: E402
from synth.values import generate_values, record_text  # noqa: E402
from tests.bench.stage_cpu import stage_line  # noqa: E402

# "bw": a 1-bit scan thresholded at 150-185 on a blurred page, a stress case beyond WORLD.md §4
# ("Scans are 150-300 dpi, grey or colour"): it erases thin strokes such as printed dashes
OUTSIDE_WORLD = ("bw",)
PROFILES = ["colour"] * 6 + ["grey"] * 4 + ["phone"] * 4 + ["upside_down"] * 2 + ["bw"] + ["clean"] * 2


def _inject(values: dict[str, Decimal | None], rng: random.Random, decimals: dict[str, int],
            n: int) -> tuple[dict[str, str | None], set[str]]:
    """Online values = paper values with n injected differences (digit change, dash <-> figure)."""
    online = {c: (record_text(v) or None) for c, v in values.items()}
    codes = rng.sample(sorted(values), n)
    for c in codes:
        v = values[c]
        kind = rng.random()
        if v is None:
            online[c] = str(rng.randint(1, 500))
        elif kind < 0.15:
            online[c] = None
        else:
            text = record_text(v)
            digits = [i for i, ch in enumerate(text) if ch.isdigit()]
            i = rng.choice(digits)
            new = rng.choice([d for d in "0123456789" if d != text[i]])
            cand = text[:i] + new + text[i + 1:]
            if len(cand) > 1 and cand[0] == "0" and cand[1] != ".":
                cand = "1" + cand[1:]
            online[c] = record_text(Decimal(cand))
            if online[c] == text:
                online[c] = str(Decimal(text) + 1)
    return online, set(codes)


def build(out: Path, units: int, seed: int, diffs_per_unit: int) -> tuple[list[Path], dict, int]:
    rng = random.Random(seed)
    template = default_template()
    decimals = {i.code: i.decimals for i in template.indicators}
    roster = [u for u in build_roster(max(50, units * 2), rng) if u.type != "管理员"]
    chosen = rng.sample(roster, units)
    files: list[Path] = []
    truth: dict = {"units": {}, "roster": roster, "owner": {}}  # owner: (file, page index) -> account
    pages_total = 0
    pending_merge: list = []
    pending_owner: list[tuple[str, int]] = []
    for k, unit in enumerate(chosen):
        values = generate_values(unit.type, rng)
        profile = [rng.choice(PROFILES) for _ in range(6)]
        pages = make_pages(unit, values, rng, layout=rng.choice("ABC"), dpi=rng.choice([150, 200]),
                           profile=profile, faults={"seal_over_figures": rng.random() < 0.6})
        profile_used = [p.truth["profile"] for p in pages]
        online, injected = _inject(values, rng, decimals, diffs_per_unit)
        truth["units"][unit.account] = {"unit": unit, "online": online, "injected": injected,
                                        "profiles": profile_used,
                                        "page_figures": [p.truth["figures"] for p in pages],
                                        "paper": {c: record_text(v) or None for c, v in values.items()}}
        pages_total += len(pages)
        images = [p.image for p in pages]
        mode = k % 6
        if mode == 5:   # one JPG per page
            for n, im in enumerate(images, 1):
                f = out / f"{unit.account}-{n}.jpg"
                im.convert("RGB").save(f, quality=85)
                files.append(f)
                truth["owner"][(str(f), 0)] = (unit.account, n - 1)
        elif mode in (3, 4):  # merged PDFs of two units
            pending_merge += images
            pending_owner += [(unit.account, i) for i in range(len(images))]
            if mode == 4:
                f = out / f"merged-{k}.pdf"
                f.write_bytes(images_to_pdf(pending_merge, dpi=150))
                files.append(f)
                truth["owner"].update({(str(f), i): a for i, a in enumerate(pending_owner)})
                pending_merge, pending_owner = [], []
        else:
            f = out / f"{unit.account}.pdf"
            f.write_bytes(images_to_pdf(images, dpi=150))
            files.append(f)
            truth["owner"].update({(str(f), i): (unit.account, i) for i in range(len(images))})
    if pending_merge:
        f = out / "merged-last.pdf"
        f.write_bytes(images_to_pdf(pending_merge, dpi=150))
        files.append(f)
        truth["owner"].update({(str(f), i): a for i, a in enumerate(pending_owner)})
    return files, truth, pages_total


def _clean(name: str | None) -> str:
    return re.sub(r"\s", "", name or "")


def match_unit(doc: DocumentReading, roster: list) -> object | None:
    """Roster unit for a read document: code AND name must agree (venues share codes)."""
    if doc.uscc:
        same = [u for u in roster if u.uscc == doc.uscc]
        scored = sorted(((fuzz.ratio(_clean(u.name), _clean(doc.unit_name)), u) for u in same),
                        key=lambda t: -t[0])
        if scored and scored[0][0] >= 90 and (len(scored) == 1 or scored[1][0] < scored[0][0] - 5):
            return scored[0][1]
        return None
    exact = [u for u in roster if _clean(u.name) == _clean(doc.unit_name)]
    return exact[0] if len(exact) == 1 else None


def _tess_job(path: str, index: int) -> tuple[float, str]:
    from ocr.engines import tess
    from ocr.sources import load_page
    src = load_page(path, index)
    t0 = os.times()
    text = tess.full_page_text(src.image)
    t1 = os.times()
    return (t1.children_user + t1.children_system) - (t0.children_user + t0.children_system), text


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--diffs", type=int, default=3, help="injected differences per unit")
    ap.add_argument("--tess-pages", type=int, default=24, help="pages for the full-page Tesseract baseline")
    ap.add_argument("--keep", type=Path, default=None, help="write the world here instead of a temp dir")
    ap.add_argument("--reuse", action="store_true", help="with --keep: re-evaluate kept readings only")
    args = ap.parse_args()
    template = default_template()
    tmp = tempfile.TemporaryDirectory()
    out = args.keep or Path(tmp.name)
    out.mkdir(parents=True, exist_ok=True)

    if args.reuse:  # re-evaluate the decisions on kept readings (no building, no reading)
        with (out / "pages.pkl").open("rb") as fh:
            kept = pickle.load(fh)
        pages, truth, read_s, load0 = kept["pages"], kept["truth"], kept["read_s"], kept["load0"]
        print(f"reusing {len(pages)} kept page readings from {out}")
    else:
        t0 = time.perf_counter()
        files, truth, n_pages = build(out, args.units, args.seed, args.diffs)
        print(f"world: {args.units} units, {n_pages} pages, {len(files)} files, built in {time.perf_counter() - t0:.0f}s")
        # warm the pool first so pages/s measures reading, not model loading
        read_pages([files[0]], template, workers=args.workers)
        load0 = os.getloadavg()[0]
        t0 = time.perf_counter()
        pages = read_pages(files, template, workers=args.workers)
        read_s = time.perf_counter() - t0
        if args.keep:  # readings kept so decision rules can be re-evaluated without re-reading
            with (out / "pages.pkl").open("wb") as fh:
                pickle.dump({"pages": pages, "truth": truth, "read_s": read_s, "load0": load0}, fh)

    # documents: JPG pages of one unit are a set (as intake hands them over), PDFs per file
    by_file: dict[str, list] = {}
    for p in pages:
        key = re.sub(r"-\d+\.jpg$", "", p.source)
        by_file.setdefault(key, []).append(p)
    docs = [d for ps in by_file.values() for d in split.group_pages(ps)]

    roster = truth["roster"]
    units = truth["units"]
    identified = wrong = 0
    seen_units: Counter = Counter()
    kinds: Counter = Counter()
    inj_total = inj_differs = inj_flagged = 0
    fp_differs = clean_total = 0
    rescan_pages = on_rescan = 0
    reasons: Counter = Counter()
    profiles_bad: Counter = Counter()
    profiles_all: Counter = Counter()
    injected_bad: Counter = Counter()  # unreadable where paper and online differ on purpose
    examples: list[str] = []
    unreadable_examples: list[str] = []
    for doc in docs:
        owners = Counter(truth["owner"][(p.source, p.index)][0] for p in doc.pages)
        true_acc = owners.most_common(1)[0][0]
        unit = match_unit(doc, roster)
        if unit is None:
            examples.append(f"unidentified: {doc.unit_name} {doc.uscc} true {true_acc} {doc.problems}")
            continue
        if unit.account != true_acc:
            wrong += 1
            examples.append(f"WRONG UNIT: read {doc.unit_name}/{doc.uscc} true {true_acc}")
            continue
        identified += 1
        seen_units[unit.account] += 1
        t = units[unit.account]
        figs = doc.figures
        rescan = [p for p in doc.pages if p.method == "ocr" and legibility(p.lines).illegible]
        rescan_pages += len(rescan)
        page_of = {f["code"]: i for i, page_figs in enumerate(t["page_figures"]) for f in page_figs}
        for code in template.codes:
            dec = decide(figs.get(code), t["online"][code], template.indicator(code).decimals)
            kinds[dec.kind] += 1
            profile = t["profiles"][page_of[code]]  # the scan the figure is printed on
            profiles_all[profile] += 1
            if code in t["injected"]:
                inj_total += 1
                inj_differs += dec.kind == "differs"
                inj_flagged += dec.kind != "matches"
                if dec.kind == "matches":
                    examples.append(f"MISSED DIFF {unit.account} {code}: paper {t['paper'][code]} online {t['online'][code]} read {figs.get(code)}")
            else:
                clean_total += 1
                if dec.kind == "differs":
                    fp_differs += 1
                    examples.append(f"FALSE DIFFERS {unit.account} {code}: {dec.reason} read {figs.get(code)}")
            if dec.kind == "unreadable" and rescan and (figs.get(code) is None or any(code in p.figures for p in rescan)):
                on_rescan += 1  # one "rescan this page" finding covers it (matching.evaluate)
            if dec.kind == "unreadable":
                why = re.sub(r"[0-9.]+", "#", dec.reason.split("；")[-1])
                reasons[(why, "printed -" if t["paper"][code] is None else "printed figure")] += 1
                unreadable_examples.append(f"unreadable {unit.account} {code}: paper {t['paper'][code]} "
                                           f"online {t['online'][code]}: {dec.reason} | {_brief(figs.get(code))}")
                profiles_bad[profile] += 1
                if code in t["injected"]:
                    injected_bad[profile] += 1
    n_units = len(units)
    unit_found = len(seen_units)
    total_figs = sum(kinds.values())
    print(f"documents read: {len(docs)} (units in world {n_units})")
    print(f"unit identified: {unit_found}/{n_units} = {100 * unit_found / n_units:.1f} %   wrong unit: {wrong}")
    print(f"injected differences: {inj_total}; reported as differs {inj_differs} "
          f"({100 * inj_differs / max(1, inj_total):.1f} %), flagged (differs or unreadable) "
          f"{inj_flagged} ({100 * inj_flagged / max(1, inj_total):.1f} %)")
    print(f"false differs: {fp_differs}/{clean_total} = {100 * fp_differs / max(1, clean_total):.2f} %")
    print(f"unreadable: {kinds['unreadable']}/{total_figs} = {100 * kinds['unreadable'] / max(1, total_figs):.2f} %")
    print("  by scan profile: " + ", ".join(f"{p} {profiles_bad[p]}/{n} ({100 * profiles_bad[p] / n:.1f} %)"
                                             for p, n in sorted(profiles_all.items())))
    in_world = sum(n for p, n in profiles_all.items() if p not in OUTSIDE_WORLD)
    bad_in_world = sum(n for p, n in profiles_bad.items() if p not in OUTSIDE_WORLD)
    print(f"  on the scan kinds WORLD.md names (grey or colour, phone photos, upside down; "
          f"not {'/'.join(OUTSIDE_WORLD)}): {bad_in_world}/{in_world} = {100 * bad_in_world / max(1, in_world):.2f} %")
    inj_in_world = sum(n for p, n in injected_bad.items() if p not in OUTSIDE_WORLD)
    print(f"  of these, injected differences (flagged for a person, not claimed): {inj_in_world}; "
          f"figures that agree with the online record: {bad_in_world - inj_in_world}/{in_world} = "
          f"{100 * (bad_in_world - inj_in_world) / max(1, in_world):.2f} %")
    rest = kinds["unreadable"] - on_rescan
    print(f"  of these on {rescan_pages} pages flagged illegible (one rescan finding each): {on_rescan}; "
          f"elsewhere {rest}/{total_figs} = {100 * rest / max(1, total_figs):.2f} %")
    for (why, printed), n in reasons.most_common(12):
        print(f"    {n:4d}  {why} ({printed})")
    rotations = Counter(p.rotation for p in pages)
    print(f"rotations applied: {dict(rotations)}")
    pps = len(pages) / read_s
    cpu = sum(p.cpu_seconds for p in pages) / len(pages)
    print(f"reader: {len(pages)} pages in {read_s:.1f}s on {args.workers} workers = {pps:.2f} pages/s "
          f"(load average {load0:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); CPU per page "
          f"{cpu:.2f}s (incl. Tesseract subprocesses) -> {args.workers / cpu:.2f} pages/s on {args.workers} idle cores")

    print(stage_line(p.stage_cpu for p in pages))

    # full-page Tesseract baseline on a sample of the same pages, same machine, same run
    if args.tess_pages > 0:
        sample = random.Random(args.seed).sample([(p.source, p.index) for p in pages],
                                                 min(args.tess_pages, len(pages)))
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            results = list(pool.map(_tess_job, *zip(*sample, strict=True)))
        tess_s = time.perf_counter() - t0
        found = total = 0
        for (src, idx), (_, text) in zip(sample, results, strict=True):
            acc, page_idx = truth["owner"][(src, idx)]
            tokens = set(re.findall(r"[0-9][0-9.,]*|-", text))
            for f in units[acc]["page_figures"][page_idx]:
                total += 1
                found += f["text"] in tokens
        tpps = len(sample) / tess_s
        tcpu = sum(c for c, _ in results) / len(results)
        print(f"tesseract chi_sim full page: {len(sample)} pages in {tess_s:.1f}s = {tpps:.3f} pages/s, CPU per page "
              f"{tcpu:.2f}s; figures found in its text {found}/{total} = {100 * found / max(1, total):.1f} % "
              f"(a token equal to the printed value)")
        print(f"speed ratio reader/tesseract: wall {pps / tpps:.1f}x, CPU {tcpu / cpu:.1f}x")
    if examples:
        print("examples:")
        for e in examples[:25]:
            print("  " + e)
    if unreadable_examples:
        print("unreadable examples:")
        for e in random.Random(1).sample(unreadable_examples, min(20, len(unreadable_examples))):
            print("  " + e)
    ok = (unit_found / n_units >= 0.995 and wrong == 0 and inj_flagged == inj_total
          and fp_differs / max(1, clean_total) <= 0.005 and pps >= 0.5)
    print(f"targets, unreadable counted on every profile: {'met' if ok and kinds['unreadable'] <= 0.02 * total_figs else 'NOT met'}")
    print(f"targets, unreadable counted on WORLD.md's scan kinds (not {'/'.join(OUTSIDE_WORLD)}): "
          f"{'met' if ok and bad_in_world <= 0.02 * in_world else 'NOT met'}")
    return 0


def _brief(fig) -> str:  # noqa: ANN001
    if fig is None:
        return "row not found"
    return (f"text={fig.text!r} value={fig.value} conf={fig.confidence:.2f} clean={fig.clean} "
            f"2nd={fig.second_opinion} agreed={fig.agreed} by={fig.found_by} engine={fig.engine}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
