"""Pool workers end with the run that started them, however it ends (ocr.reader._exit_with_parent):
a run stopped by Ctrl-C or killed does not shut its pool down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN = """
import os, sys
from ocr import reader
from registry.template import default_template
page, pids = sys.argv[1], sys.argv[2]
reader.submit_page(page, 0, default_template(), None, 2).result()  # a real page read: the pool is up
with open(pids, "w") as f:
    f.write(" ".join(str(p) for p in reader._pools[2]._processes))
os._exit(0)  # gone without shutting the pool down, as a killed run
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for its reaper is gone too
        return f.read().split(")")[-1].split()[0] != "Z"


def test_workers_end_when_their_run_is_gone(tmp_path) -> None:
    page = ROOT / "tests" / "ocr" / "photos" / "shadowed-right-edge.jpg"
    listed = tmp_path / "pids"
    # no pipes: workers that outlive the run would hold them open and the run would never end here
    subprocess.run([sys.executable, "-c", RUN, str(page), str(listed)], cwd=ROOT, timeout=300,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    pids = [int(p) for p in listed.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 20
    try:
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not any(_alive(p) for p in pids)
    finally:
        for p in pids:
            if _alive(p):
                os.kill(p, signal.SIGKILL)
