"""Seal and signature benchmark over synthetic scanned pages (issue 5).

    python tests/bench/bench_seal.py [--pages 240] [--seed 1] [--workers 2] [--jpeg 50]

Pages come from the synthetic world (synth: render -> sign -> stamp -> scan) with the scan
profiles colour / grey / bw / phone / upside_down / clean, pages without a seal, faded and
partly pressed seals, and red decoys (ticks, red text with underline, red loops, red lines)
on pages with and without a seal. Ground truth is what was stamped and signed.
--jpeg Q saves every scan (phone photos are JPEG already) as JPEG quality Q, as mailed scans
arrive (PDFs of JPEG pages, often quality 35-70).

--variants N adds N signature pages of tests/ocr/sig_pages.py (layouts right / overline / below /
open / stacked, four fonts, 150-300 dpi, colour / grey / phone, handwritten names or red name
seals, the unit seal over a field, OCR-like label faults: a box swollen by the name next to it,
a label not read) judged from OCR-like lines; --signature-module FILE judges them with another
implementation of detect_signatures (e.g. an older ocr/signature.py) for before/after numbers.

Prints: "no seal" recall/precision (strict: status absent; flagged: absent or uncertain),
uncertain rate (also without bw scans), per-profile statuses and absent precision, seal found rate, box IoU, missing-signature detection rate, time per page.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

# Run as a script: make the repository importable even where the editable install predates synth/.
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))

from ocr.seal import detect_seal  # noqa: E402
from ocr.signature import detect_signatures  # noqa: E402
from registry.template import default_template  # noqa: E402
from tests.ocr.seal_pages import jpeg, normalised, synth_case  # noqa: E402

PROFILES = ("colour", "grey", "bw", "phone", "upside_down", "clean")
DECOYS = ("tick", "red_text", "red_loop", "red_line")
LAYOUTS = ("A", "B", "C")
# A seal with less than this share of its ink visible in the scan cannot be seen by anyone.
LOST_BELOW = 0.25


@dataclass
class Spec:
    index: int
    profile: str
    layout: str
    page_no: int  # 0 = last page (signature page)
    seal: bool
    faded: bool
    decoys: tuple[str, ...]
    unsigned: tuple[str, ...]
    dpi: int
    seed: int
    jpeg: int | None = None  # save the scan as JPEG of this quality
    named: bool = True  # give detect_seal the unit's name (a partial grey seal may pass on its arc text)


@dataclass
class Outcome:
    spec: Spec
    seal_status: str
    seal_score: float
    iou: float | None
    seal_seconds: float
    signatures: list[tuple[str, bool, str]]  # role, truly signed, status
    signature_seconds: float
    reason: str
    visibility: float | None  # share of the seal's ink that survived the scan

    @property
    def seal_lost(self) -> bool:
        """Stamped, but (almost) nothing of it is left in the scan (pale seal, bw threshold)."""
        return self.spec.seal and self.visibility is not None and self.visibility < LOST_BELOW


def make_specs(n: int, seed: int, jpeg_quality: int | None = None) -> list[Spec]:
    rng = random.Random(seed)
    specs = []
    for i in range(n):
        profile = PROFILES[i % len(PROFILES)]
        seal = rng.random() >= 0.3
        decoys = tuple(rng.sample(DECOYS, rng.randint(1, 3))) if rng.random() < 0.35 else ()
        signature_page = rng.random() < 0.4
        unsigned = tuple(r for r in ("单位负责人", "统计负责人", "填表人") if rng.random() < 0.3) if signature_page else ()
        specs.append(
            Spec(
                index=i,
                profile=profile,
                layout=LAYOUTS[(i // len(PROFILES)) % len(LAYOUTS)],
                page_no=0 if signature_page else 1,
                seal=seal,
                faded=seal and rng.random() < 0.25,
                decoys=decoys,
                unsigned=unsigned,
                dpi=rng.choice((150, 150, 200, 300)),
                seed=seed * 100_000 + i,
                jpeg=jpeg_quality,
            )
        )
    return specs


def run_one(spec: Spec) -> Outcome:
    from tests.ocr.seal_pages import synth_form

    unit, form, _ = synth_form(spec.layout, spec.dpi)
    page_no = form.pages_total if spec.page_no == 0 else spec.page_no
    rng = random.Random(spec.seed)
    # Faded: pale ink (synth's normal range is 0.55-1.0) or one side pressed lightly.
    seal_kwargs = {"strength": rng.uniform(0.4, 0.55), "partial": rng.choice((0.0, rng.uniform(0.2, 0.4)))} if spec.faded else None
    case = synth_case(
        page_no,
        spec.profile,
        spec.seed,
        layout=spec.layout,
        dpi=spec.dpi,
        seal=spec.seal,
        seal_kwargs=seal_kwargs,
        decoys=spec.decoys,
        unsigned=spec.unsigned,
        measure_visibility=True,
    )
    if spec.jpeg is not None and spec.profile != "phone":
        case.image = jpeg(case.image, spec.jpeg)
    start = time.perf_counter()
    # as the reader calls it, less the page's OCR lines (none here): a stricter test of the name rule
    result = detect_seal(case.image, unit_name=unit.name if spec.named else None,
                         form_words=default_template().printed_words())
    seal_seconds = time.perf_counter() - start
    iou = _iou(result.box, case.seal_box) if result.box and case.seal_box else None
    signatures: list[tuple[str, bool, str]] = []
    signature_seconds = 0.0
    if case.label_boxes:
        image, labels = case.image, case.label_boxes
        if spec.profile in ("upside_down", "phone"):
            # In production the reader turns pages upright and corrects perspective first.
            image, labels = normalised(case)
        start = time.perf_counter()
        found = detect_signatures(image, labels)
        signature_seconds = time.perf_counter() - start
        signatures = [(role, signed, found[role].status) for role, signed in case.signed.items()]
    return Outcome(
        spec, result.status, result.score, iou, seal_seconds, signatures, signature_seconds, result.reason,
        case.seal_visibility,
    )


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / max(1, a[2] * a[3] + b[2] * b[3] - inter)


def _ratio(num: int, den: int) -> str:
    return f"{num}/{den} = {100 * num / den:.1f} %" if den else "n/a"


def report(outcomes: list[Outcome], wall: float) -> None:
    no_seal = [o for o in outcomes if not o.spec.seal]
    sealed = [o for o in outcomes if o.spec.seal]
    print(f"pages: {len(outcomes)} ({len(no_seal)} without seal, {len(sealed)} with; "
          f"{sum(1 for o in sealed if o.spec.faded)} faded/partial; {sum(1 for o in outcomes if o.spec.decoys)} with red decoys)")
    lost = [o for o in sealed if o.seal_lost]
    print(f"sealed pages whose seal is lost in the scan (< {LOST_BELOW:.0%} of its ink visible): {len(lost)}")
    print("\n== seal: pages without seal ==")
    for scope, pool in (("all pages", outcomes), ("excl. lost seals", [o for o in outcomes if not o.seal_lost])):
        pool_no_seal = [o for o in pool if not o.spec.seal]
        pool_sealed = [o for o in pool if o.spec.seal]
        for label, flagged in (("strict (absent)", {"absent"}), ("flagged (absent|uncertain)", {"absent", "uncertain"})):
            tp = sum(1 for o in pool_no_seal if o.seal_status in flagged)
            fp = sum(1 for o in pool_sealed if o.seal_status in flagged)
            print(f"{scope:17s} {label:27s} recall {_ratio(tp, len(pool_no_seal))}   precision {_ratio(tp, tp + fp)}")
    print(f"sealed pages reported present: {_ratio(sum(1 for o in sealed if o.seal_status == 'present'), len(sealed))}")
    print(f"sealed pages reported absent:  {_ratio(sum(1 for o in sealed if o.seal_status == 'absent'), len(sealed))}")
    print(f"no-seal pages reported present (false seal): {_ratio(sum(1 for o in no_seal if o.seal_status == 'present'), len(no_seal))}")
    print(f"uncertain rate: {_ratio(sum(1 for o in outcomes if o.seal_status == 'uncertain'), len(outcomes))}")
    # Black-and-white scans drop pale red ink: "no seal seen" there is uncertain by design.
    not_bw = [o for o in outcomes if o.spec.profile != "bw"]
    print(f"uncertain rate without bw scans: {_ratio(sum(1 for o in not_bw if o.seal_status == 'uncertain'), len(not_bw))}")
    ious = [o.iou for o in sealed if o.seal_status == "present" and o.iou is not None]
    if ious:
        print(f"box IoU of present seals: mean {statistics.mean(ious):.2f}, min {min(ious):.2f}")
        off = [o for o in sealed if o.seal_status == "present" and o.iou is not None and o.iou < 0.3]
        for o in off:
            print(f"  present but box off the seal (IoU {o.iou:.2f}): #{o.spec.index} {o.spec.profile} decoys={o.spec.decoys}")

    print("\n== seal by profile: statuses for (sealed | no seal) ==")
    by_profile: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_profile[o.spec.profile].append(o)
    for profile, items in by_profile.items():
        with_seal = Counter(o.seal_status for o in items if o.spec.seal)
        without = Counter(o.seal_status for o in items if not o.spec.seal)
        true_absent, false_absent = without.get("absent", 0), with_seal.get("absent", 0)
        precision = _ratio(true_absent, true_absent + false_absent)
        print(f"{profile:12s} sealed {dict(with_seal)} | no seal {dict(without)} | absent precision {precision}")
    decoy_pages = [o for o in no_seal if o.spec.decoys]
    print(f"decoy pages without seal reported absent: {_ratio(sum(1 for o in decoy_pages if o.seal_status == 'absent'), len(decoy_pages))}")

    misses = [o for o in outcomes if (not o.spec.seal and o.seal_status != "absent") or (o.spec.seal and o.seal_status != "present")]
    if misses:
        print(f"\nnot clear-cut: {len(misses)} (first 25):")
        for o in misses[:25]:
            s = o.spec
            seen = "" if o.visibility is None else f" visible={o.visibility:.2f}"
            print(f"  #{s.index} {s.profile} {s.dpi}dpi seal={s.seal}{seen} faded={s.faded} decoys={s.decoys}: "
                  f"{o.seal_status} {o.seal_score:.2f} {o.reason}")

    print("\n== signatures ==")
    fields = [sig for o in outcomes for sig in o.signatures]
    missing = [f for f in fields if not f[1]]
    signed = [f for f in fields if f[1]]
    print(f"fields: {len(fields)} ({len(missing)} missing, {len(signed)} signed)")
    print(f"missing signatures reported absent:            {_ratio(sum(1 for f in missing if f[2] == 'absent'), len(missing))}")
    print(f"missing signatures flagged (absent|uncertain): {_ratio(sum(1 for f in missing if f[2] != 'present'), len(missing))}")
    print(f"signed fields reported present:                {_ratio(sum(1 for f in signed if f[2] == 'present'), len(signed))}")
    print(f"signed fields reported absent (false alarm):   {_ratio(sum(1 for f in signed if f[2] == 'absent'), len(signed))}")

    wrong = [(o, f) for o in outcomes for f in o.signatures if (f[2] == "present") != f[1] or f[2] == "uncertain"]
    if wrong:
        print(f"signature fields not clear-cut: {len(wrong)} (first 25):")
        for o, (role, signed, status) in wrong[:25]:
            s = o.spec
            print(f"  #{s.index} {s.profile} {s.dpi}dpi layout {s.layout} seal={s.seal} {role} signed={signed}: {status}")

    print("\n== time ==")
    seal_times = [o.seal_seconds for o in outcomes]
    sig_times = [o.signature_seconds for o in outcomes if o.signatures]
    print(f"detect_seal: mean {statistics.mean(seal_times):.3f} s/page, max {max(seal_times):.3f} s")
    if sig_times:
        print(f"detect_signatures: mean {statistics.mean(sig_times):.3f} s/signature page")
    print(f"wall time (incl. page synthesis): {wall:.1f} s")


@dataclass
class VariantSpec:
    index: int
    layout: str
    font: str
    dpi: int
    profile: str
    names: dict[str, str]
    seal_over: str | None
    swollen: tuple[str, ...]
    dropped: tuple[str, ...]
    seed: int
    module: str | None = None


def make_variants(n: int, seed: int, module: str | None) -> list[VariantSpec]:
    from tests.ocr.sig_pages import FONTS, LAYOUTS, ROLES

    rng = random.Random(seed + 7919)
    specs = []
    for i in range(n):
        names = {r: rng.choices(("hand", "name_seal", "empty"), (0.62, 0.13, 0.25))[0] for r in ROLES}
        signed = [r for r in ROLES if names[r] != "empty"]
        specs.append(VariantSpec(
            index=i, layout=LAYOUTS[i % len(LAYOUTS)], font=rng.choice(sorted(FONTS)),
            dpi=rng.choice((150, 150, 200, 300)), profile=rng.choice(("colour", "grey", "grey", "phone")),
            names=names, seal_over=rng.choice(ROLES) if rng.random() < 0.35 else None,
            swollen=tuple(r for r in signed if rng.random() < 0.2),
            dropped=tuple(r for r in ROLES if rng.random() < 0.08),
            seed=seed * 100_000 + 50_000 + i, module=module,
        ))
    return specs


def _detector(module: str | None):
    if module is None:
        return detect_signatures
    import importlib.util

    spec = importlib.util.spec_from_file_location("signature_under_test", module)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod.detect_signatures


def run_variant(spec: VariantSpec) -> list[tuple[str, bool, str, str, str]]:
    """(role, truly signed, status, reason, description) per field."""
    from tests.ocr.sig_pages import sig_page

    page = sig_page(spec.layout, dpi=spec.dpi, font=spec.font, names=spec.names, seal_over=spec.seal_over,
                    profile=spec.profile, seed=spec.seed, swollen=spec.swollen, dropped=spec.dropped)
    found = _detector(spec.module)(page.image, page.lines)
    what = (f"#{spec.index} {spec.layout} {spec.font} {spec.dpi}dpi {spec.profile} seal_over={spec.seal_over} "
            f"swollen={spec.swollen} dropped={spec.dropped}")
    return [(role, page.signed[role], found[role].status, found[role].reason, f"{what} {spec.names[role]}")
            for role in page.signed]


def report_variants(fields: list[tuple[str, bool, str, str, str]]) -> None:
    missing = [f for f in fields if not f[1]]
    signed = [f for f in fields if f[1]]
    print(f"\n== signature variants (tests/ocr/sig_pages.py) ==\nfields: {len(fields)} ({len(missing)} missing, {len(signed)} signed)")
    print(f"missing signatures reported absent:            {_ratio(sum(1 for f in missing if f[2] == 'absent'), len(missing))}")
    print(f"missing signatures flagged (absent|uncertain): {_ratio(sum(1 for f in missing if f[2] != 'present'), len(missing))}")
    print(f"signed fields reported present:                {_ratio(sum(1 for f in signed if f[2] == 'present'), len(signed))}")
    print(f"signed fields reported absent:                 {_ratio(sum(1 for f in signed if f[2] == 'absent'), len(signed))}")
    print(f"signed fields reported uncertain:              {_ratio(sum(1 for f in signed if f[2] == 'uncertain'), len(signed))}")
    wrong = [f for f in fields if (f[2] == "present") != f[1] or f[2] == "uncertain"]
    for role, truth, status, reason, what in wrong[:40]:
        print(f"  {what} {role} signed={truth}: {status} {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=240)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--jpeg", type=int, default=None, help="save scans as JPEG of this quality")
    parser.add_argument("--variants", type=int, default=0, help="signature pages of tests/ocr/sig_pages.py")
    parser.add_argument("--signature-module", default=None, help="judge the variants with this file's detect_signatures")
    parser.add_argument("--no-name", action="store_true", help="do not give detect_seal the unit's name")
    args = parser.parse_args()
    specs = make_specs(args.pages, args.seed, args.jpeg)
    if args.no_name:
        specs = [dataclasses.replace(s, named=False) for s in specs]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        outcomes = list(pool.map(run_one, specs, chunksize=4)) if specs else []
        variants = make_variants(args.variants, args.seed, args.signature_module)
        fields = [f for fs in pool.map(run_variant, variants, chunksize=2) for f in fs]
    if outcomes:
        report(outcomes, time.perf_counter() - start)
    if fields:
        report_variants(fields)


if __name__ == "__main__":
    main()
