"""Benchmark of `kptj synth`: generation time and mailbox size for N units.

    python tests/bench/bench_synth.py --units 300 [--units 5000] [--seed 1] [--workers 0] [--keep DIR]

Prints one JSON line per size: seconds (plan / render / mail / total), messages, documents, pages,
(main_cpu_seconds counts this process only: the render pool runs under a forkserver),
mailbox MB, and the machine's load average at the start (other work on the machine inflates times).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script from anywhere

from synth.world import build_world  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, action="append")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--keep", type=Path, default=None, help="keep the generated world here")
    args = ap.parse_args()
    for n in args.units or [300]:
        out = (args.keep / f"world{n}") if args.keep else Path(tempfile.mkdtemp(prefix=f"synth{n}-"))
        load = os.getloadavg()[0]
        cpu0 = os.times()
        t0 = time.time()
        truth = build_world(n, args.seed, out, workers=args.workers or None)
        wall = time.time() - t0
        cpu1 = os.times()
        cpu = (cpu1.user - cpu0.user) + (cpu1.children_user - cpu0.children_user) + \
              (cpu1.system - cpu0.system) + (cpu1.children_system - cpu0.children_system)
        st = truth["stats"]
        mail_mb = sum(f.stat().st_size for f in (out / "mail").glob("*.eml")) / 1e6
        print(json.dumps({"units": n, "seconds": round(wall, 1), "main_cpu_seconds": round(cpu, 1),
                          "phases": st["timings_s"], "messages": st["messages"], "documents": st["documents"],
                          "pages": st["pages_rendered"], "mail_mb": round(mail_mb, 1),
                          "load_at_start": round(load, 2), "cores": os.cpu_count()}, ensure_ascii=False))
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
