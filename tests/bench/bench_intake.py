"""Benchmark: intake of 1,000 messages from a real Dovecot over IMAPS (not collected by pytest).

    python tests/bench/bench_intake.py [--messages 1000] [--scan-kb 200]

Prints delivery time, intake time and messages/s (fetch + archive + extract + classify + MOVE).
"""

from __future__ import annotations

import argparse
import os
import shutil
import smtplib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from intake import parse_source, run_intake  # noqa: E402
from kptj.workspace import Workspace  # noqa: E402
from tests.intake.mailfactory import image_bytes, mail, pdf_bytes, raw  # noqa: E402
from tests.servers.dovecot import Dovecot  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--scan-kb", type=int, default=200, help="approximate size of each scanned image")
    args = ap.parse_args()
    server = Dovecot.start()
    home = Path(tempfile.mkdtemp(prefix="kptj-bench-"))
    try:
        server.add_user("bench", "bench-pw")
        os.environ["KPTJ_IMAP_PASSWORD"] = "bench-pw"
        side = int((args.scan_kb * 1024 / 3) ** 0.5)
        noise = os.urandom(args.scan_kb * 1024 // 2)
        t0 = time.perf_counter()
        with smtplib.LMTP(server.host, server.lmtp_port) as lmtp:
            for i in range(args.messages):
                atts = [(f"{i}.pdf", pdf_bytes(2))] if i % 2 else [(f"{i}.png", image_bytes("PNG", (side, side)))]
                atts.append((f"{i}.bin", noise[i % 97:]))  # incompressible payload of scan size
                lmtp.sendmail("unit@example.cn", ["bench"], raw(mail(subject=f"单位{i} 科普统计表", attachments=atts)))
        delivered = time.perf_counter() - t0
        ws = Workspace(home=home)
        ws.sessions()  # schema creation is not part of the measurement
        spec = parse_source(f"imaps://bench@{server.host}:{server.imaps_port}/INBOX", ca_file=server.ca_cert)
        t1 = time.perf_counter()
        report = run_intake(ws, [spec])
        took = time.perf_counter() - t1
        r = report.sources[0]
        size = sum(p.stat().st_size for p in (home / "archive" / "mail").rglob("*.eml"))
        print(f"delivered {args.messages} messages via LMTP in {delivered:.1f} s")
        print(f"intake: archived {r.archived}, done {r.done}, failed {r.failed}, {size / 1e6:.0f} MB raw, "
              f"{took:.1f} s → {r.done / took:.1f} messages/s")
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
