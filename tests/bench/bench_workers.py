"""Distributed reading: pages/s with 1 and 2 `kptj worker` processes, and 30,000 pages projected.

    python -m tests.bench.bench_workers [--world DIR] [--pages 24] [--counts 1,2]

Starts its own PostgreSQL and redis-server on 127.0.0.1, takes a generated world's mail in
(intake only), then for each worker count starts that many `kptj worker -c 1` processes and
reads the same sample of pages through `kptj.dist.CeleryExecutor`, all pages queued at once.
Stored results are deleted between counts so every count reads every page. On one 2-core machine
two workers can at best double one worker's rate; each further machine adds its own cores.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, select

from intake import run_intake
from kptj.dist import CeleryExecutor
from kptj.workspace import Workspace
from matching.executor import FileJob
from registry.exec_models import PageResult
from registry.models import Attachment
from registry.template import default_template
from tests.bench.world_setup import generate_world, needs_world
from tests.dist.helpers import Worker
from tests.servers.postgres import start_postgres
from tests.servers.redis import start_redis

YEAR_PAGES = 30_000


def _sample(ws: Workspace, want: int) -> list[FileJob]:
    from ocr import sources

    jobs, pages = [], 0
    with ws.session() as s:
        for a in s.scalars(select(Attachment).where(Attachment.status == "document").order_by(Attachment.id)):
            if pages >= want:
                break
            path = ws.archive_dir / (a.archive_path or "")
            if (a.detected_type or "") != "pdf" or not path.exists():
                continue
            jobs.append(FileJob(str(path), a.sha256 or "", a.archive_path or ""))
            pages += sources.count_pages(str(path))
    return jobs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", type=Path, help="a world made by `kptj synth` (else 50 units generated)")
    ap.add_argument("--pages", type=int, default=24, help="pages read per worker count")
    ap.add_argument("--counts", default="1,2")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kptj-benchw-"))
    world = a.world or tmp / "world"
    if needs_world(world):
        print(f"generating a 50-unit world in {world} …", flush=True)
        generate_world(world, 50, 2024, "reportlab")
    pg, redis = start_postgres(), start_redis()
    try:
        ws = Workspace(home=tmp / "ws", db_url=pg.create_database("kptj_bench"))
        run_intake(ws, [str(world / "mail")])
        files = _sample(ws, a.pages)
        template = default_template(ws.year)
        rows = []
        for n in (int(x) for x in a.counts.split(",")):
            with ws.session() as s:
                s.execute(delete(PageResult))
                s.commit()
            workers = [Worker(ws.home, ws.url, redis.url, f"bench{i}@{n}", tmp / f"w{n}-{i}.log")
                       for i in range(n)]
            try:
                for w in workers:
                    w.wait_ready()
                t0, l0 = time.perf_counter(), os.getloadavg()[0]
                executor = CeleryExecutor(ws, redis.url)  # a fresh run: it has queued nothing yet
                pages = executor.read_pages(files, template, ws.pages_dir / "bench")
                wall = time.perf_counter() - t0
            finally:
                for w in workers:
                    w.stop()
            rate = len(pages) / wall
            cpu = sum(p.cpu_seconds for p in pages) / len(pages)  # contention-independent cost of a page
            rows.append((n, len(pages), wall, rate, l0, cpu))
            print(f"  {n} worker(s): {len(pages)} pages in {wall:.1f} s = {rate:.2f} pages/s "
                  f"({cpu:.2f} CPU s/page)", flush=True)
        print(f"\nDistributed reading (Celery + Redis, PostgreSQL), {os.cpu_count()} cores, "
              f"each worker one reading process:")
        print("| workers | pages | wall | pages/s | 30,000 pages at this rate | CPU s/page | load at start |")
        print("|---|---|---|---|---|---|---|")
        for n, p, wall, rate, load, cpu in rows:
            print(f"| {n} | {p} | {wall:.1f} s | {rate:.2f} | {YEAR_PAGES / rate / 3600:.1f} h | {cpu:.2f} | {load:.1f} |")
        if rows:
            cpu = sum(r[5] for r in rows) / len(rows)
            core_h = YEAR_PAGES * cpu / 3600
            print(f"\nProjection from CPU time ({cpu:.2f} s per page, whatever else the machine runs): 30,000 "
                  f"pages are {core_h:.1f} core-hours: {core_h / 2:.1f} h on one 2-core machine, "
                  f"{core_h / 8:.1f} h on four running `kptj worker -c 2` (if the database and archive keep up).")
    finally:
        redis.stop()
        pg.stop()


if __name__ == "__main__":
    main()
