"""Scale benchmark: the stages that grow with the number of units, on a large world.

    python -m tests.bench.bench_scale --units 2000 [--seed 3] [--world DIR] [--sample-pages 120]

Reading every page of a 2,000-unit world (about 6,500 pages) takes hours on two cores, so this
measures every other stage in full (generation, registry import, intake of the whole mailbox,
template audit, status and reports over all units) and reads a random sample of the world's
attachments through the same process pool to project the reading time. Prints one table with
wall time, CPU time and peak memory per stage; the projection is labelled as such.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from kptj.daily_run import write_reports
from kptj.workspace import Workspace
from registry.clock import local_today
from registry.models import Attachment, Message, Unit
from registry.template import default_template
from tests.bench.world_setup import add_world_options, generate_world, load_registry, needs_world


def _rss_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child, MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


class Stages:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, float, str]] = []

    def run(self, name: str, fn, note: str = ""):  # noqa: ANN001, ANN201
        t0, c0 = time.perf_counter(), os.times()
        out = fn()
        c1 = os.times()
        cpu = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) \
            + (c1.children_system - c0.children_system)
        self.rows.append((name, time.perf_counter() - t0, cpu, _rss_mb()[0], note))
        print(f"  {name}: {time.perf_counter() - t0:.1f} s", flush=True)
        return out


def main() -> None:
    ap = argparse.ArgumentParser()
    add_world_options(ap, units=2000, seed=3)
    ap.add_argument("--sample-pages", type=int, default=120, help="pages read to project the reading time")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kptj-scale-"))
    world = a.world or tmp / "world"
    st = Stages()
    load0 = os.getloadavg()[0]
    if needs_world(world):
        st.run("generate world", lambda: generate_world(world, a.units, a.seed))
    ws = Workspace.from_options(str(a.workspace or tmp / "ws"))
    template = default_template()
    st.run("import roster + online records", lambda: load_registry(ws, world))

    from intake import run_intake
    report = st.run("intake: fetch, archive raw, extract (whole mailbox)",
                    lambda: run_intake(ws, [str(world / "mail")]))
    with ws.session() as s:
        units = s.scalar(select(func.count()).select_from(Unit))
        messages = s.scalar(select(func.count()).select_from(Message))
        atts = list(s.scalars(select(Attachment).where(Attachment.status == "document")))
        docs = [(ws.archive_dir / a_.archive_path, a_.page_count or 1) for a_ in atts if a_.archive_path]
    print(f"  {units} units, {messages} messages, {len(docs)} scan attachments; intake ok={report.ok}")

    from ocr import read_files
    pages_total = sum(n for _, n in docs)
    sample: list[Path] = []
    sample_pages = 0
    for p, n in random.Random(a.seed).sample(docs, len(docs)):
        if sample_pages >= a.sample_pages:
            break
        sample.append(p)
        sample_pages += n
    read_files([docs[0][0]], template, workers=a.workers)  # warm the pool: models load once per worker
    t0 = time.perf_counter()
    st.run(f"read a sample ({sample_pages} pages)", lambda: read_files(sample, template, workers=a.workers))
    pps = sample_pages / (time.perf_counter() - t0)

    from matching.audit import audit_records

    def audit() -> None:
        with ws.session() as s:
            audit_records(s, template, ws.year)
            s.commit()
    st.run("audit online records (template rules)", audit)
    st.run("status + reports over all units", lambda: write_reports(ws, local_today()))

    own, kids = _rss_mb()
    print(f"\n== kptj scale: {units} units, {messages} messages, {pages_total} pages; "
          f"{platform.machine()}, {os.cpu_count()} cores, load average at start {load0:.1f}")
    print(f"{'stage':<48}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}")
    for name, wall, cpu, rss, _ in st.rows:
        print(f"{name:<48}{wall:>9.1f}{cpu:>9.1f}{rss:>9.0f}")
    projected = pages_total / pps
    print(f"reading speed on the sample: {pps:.2f} pages/s -> all {pages_total} pages: about "
          f"{projected / 3600:.1f} h (projected, not measured)")
    print(f"peak memory: main process {own:.0f} MB, largest child process {kids:.0f} MB")
    print(f"workspace: {ws.home}")


if __name__ == "__main__":
    main()
