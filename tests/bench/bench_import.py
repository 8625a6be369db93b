"""Benchmark: import a 3,000-unit roster and its online records, first load and an unchanged re-import.

Run: python -m tests.bench.bench_import [--units 3000] [--db URL]   (target: under 10 s for the first load)
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from registry import uscc
from registry.db import open_db
from registry.records_import import import_records
from registry.roster_import import DISTRICTS, import_roster
from registry.template import default_template
from tests.registry.builders import ROSTER_HEADER, records_header, write_xlsx


def build(n: int, out: Path) -> tuple[Path, Path]:
    rnd = random.Random(7)
    t = default_template()
    roster, records = [], []
    bureaus = []
    for i, d in enumerate(DISTRICTS):
        acc = f"kjj{i:02d}"
        bureaus.append(acc)
        roster.append([acc, f"天津市{d}科学技术局", uscc.make_code("1", "1", f"1201{i + 1:02d}", f"{i:08d}"), "区科技局",
                       d, "", "否", "", "", "", ""])
    for k in range(len(roster), n):
        b = rnd.randrange(len(bureaus))
        roster.append([f"u{k:05d}", f"单位{k:05d}", uscc.make_code("1", "2", "120101", f"{k:08d}"), "区级部门",
                       DISTRICTS[b], bureaus[b], "否", "", "", "", ""])
    for r in roster:
        vals = [("-" if rnd.random() < 0.3 else str(rnd.randrange(0, 500))) if i.decimals == 0
                else f"{rnd.uniform(0, 90):.2f}" for i in t.indicators]
        records.append([r[0], r[1], r[2], "审核通过", "2025-05-20 10:00:00", *vals])
    return (write_xlsx(out / "roster.xlsx", ROSTER_HEADER, roster),
            write_xlsx(out / "records.xlsx", records_header(), records))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=3000)
    ap.add_argument("--db")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        roster, records = build(a.units, out)
        sessions = open_db(a.db or f"sqlite:///{out / 'bench.db'}")
        t = default_template()
        with sessions() as s:
            t0 = time.perf_counter()
            import_roster(s, roster, 2024)
            t1 = time.perf_counter()
            import_records(s, records, t, 2024)
            t2 = time.perf_counter()
            import_roster(s, roster, 2024)
            import_records(s, records, t, 2024)
            t3 = time.perf_counter()
        print(f"units={a.units} roster={t1 - t0:.2f}s records={t2 - t1:.2f}s first_load={t2 - t0:.2f}s "
              f"unchanged_reimport={t3 - t2:.2f}s")


if __name__ == "__main__":
    main()
