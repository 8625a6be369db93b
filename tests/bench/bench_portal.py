"""Portal speed on a large registry: 10,000 units, 60,000 findings.

    python -m tests.bench.bench_portal [--units 10000] [--findings 60000] [--requests 40] [--db URL]

Builds the database with bulk inserts (no scans are read: rows are written as the reader writes
them; 80% of the units have sent, about 300 of them today), serves the portal with uvicorn on 127.0.0.1 and times requests of a logged-in staff user
and a bureau user: the unit list, the review queue and a unit page. Prints the median and p95
request time (measured by the client on the loopback, so it includes the HTTP round trip) and the
number of SQL statements each request ran (constant per page: the pages paginate on the server).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

from portal.auth import add_user
from registry.clock import utc_now
from registry.db import open_db
from registry.models import Attachment, Document, Finding, Message, OnlineRecord, Page, Unit
from registry.tree import subtree_ids
from tests.portal.conftest import Portal, ThreadServer
from tests.portal.world import PASSWORD, World

KINDS = [("figure_mismatch", "error"), ("figure_unreadable", "warning"), ("seal_missing", "error"),
         ("signature_missing", "error"), ("page_missing", "error"), ("figure_unreadable", "info")]
DISTRICTS = ["和平区", "河东区", "河西区", "南开区", "河北区", "红桥区", "东丽区", "西青区", "津南区", "北辰区",
             "武清区", "宝坻区", "滨海新区", "宁河区", "静海区", "蓟州区"]


def build(url: str, n_units: int, n_findings: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    sessions = open_db(url)
    with sessions() as s:
        units, uid = [], 0
        # 16 district bureaus, each with 10 departments; every other unit under a department
        bureaus = []
        for d in DISTRICTS:
            uid += 1
            bureaus.append(uid)
            units.append(dict(id=uid, year=2024, account=f"b{uid:05d}", name=f"天津市{d}科学技术局", uscc=f"{uid:018d}",
                              district=d, admin_id=None))
        depts = []
        for b in bureaus:
            for k in range(10):
                uid += 1
                depts.append((uid, units[b - 1]["district"]))
                units.append(dict(id=uid, year=2024, account=f"d{uid:05d}", name=f"{units[b - 1]['district']}第{k + 1}部门",
                                  uscc=f"{uid:018d}", district=units[b - 1]["district"], admin_id=b))
        while uid < n_units:
            uid += 1
            dept, district = rnd.choice(depts)
            units.append(dict(id=uid, year=2024, account=f"u{uid:05d}", name=f"{district}科普单位{uid}", uscc=f"{uid:018d}",
                              district=district, admin_id=dept))
        s.execute(insert(Unit), units)
        s.execute(insert(OnlineRecord), [dict(unit_id=u["id"], year=2024, status="审核通过") for u in units])
        sent = [u["id"] for u in units if rnd.random() < 0.8]
        # mail came in over the weeks before: about 300 units' scans arrived today
        when = {i: utc_now() if rnd.random() < 300 / len(sent) else utc_now() - timedelta(days=rnd.randint(1, 40))
                for i in sent}
        s.execute(insert(Message), [dict(id=i, account="c", folder="INBOX", uidvalidity=1, uid=i, sha256=f"{i:064d}",
                                         state="processed", fetched_at=when[i]) for i in sent])
        s.execute(insert(Attachment), [dict(id=i, message_id=i, name=f"{i}.pdf", status="document") for i in sent])
        s.execute(insert(Document), [dict(id=i, attachment_id=i, unit_id=i, status="read", created_at=when[i])
                                     for i in sent])
        s.execute(insert(Page), [dict(id=i, attachment_id=i, document_id=i, source_index=0, page_no=1) for i in sent])
        rows = []
        for n in range(n_findings):
            u = rnd.choice(sent)
            kind, sev = rnd.choice(KINDS)
            rows.append(dict(year=2024, unit_id=u, kind=kind, severity=sev, indicator=f"P{n % 20 + 1:02d}",
                             online_value="12", scanned_value="13", document_id=u, page_id=u, state="open",
                             detail={"reason": "基准数据"}, created_at=when[u]))
        s.execute(insert(Finding), rows)
        for name, role, admin in (("staff1", "staff", None), ("hp_edu", "bureau", "b00001")):
            add_user(s, 2024, name, role, PASSWORD, admin, by="bench")
        s.commit()
    sessions.kw["bind"].dispose()


def measure(url: str, requests: int) -> list[tuple[str, str, float, float, float]]:
    from portal.web import create_app

    sessions = open_db(url)
    statements = [0]
    event.listen(sessions.kw["bind"], "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    with sessions() as s:
        ids = {"staff1": [i for (i,) in s.execute(select(Unit.id))], "hp_edu": subtree_ids(s, 2024, "b00001")}
    rnd = random.Random(1)
    out = []
    with ThreadServer(create_app(sessions)) as base:
        portal = Portal(base, World(Path("."), url), sessions, None)
        for who in ("staff1", "hp_edu"):
            c = portal.client(who)
            pages = {"单位列表": lambda: "/units", "单位列表（筛选：有问题，第3页）": lambda: "/units?scan=problem&page=3",
                     "单位页": lambda mine=ids[who]: f"/units/{rnd.choice(mine)}"}
            if who == "staff1":
                pages |= {"待核问题": lambda: "/review", "待核问题（第50页）": lambda: "/review?page=50",
                          "今日收取": lambda: "/today"}
            else:
                pages |= {"管理单位视图": lambda: "/bureau"}
            for label, path in pages.items():
                times, counts = [], []
                for k in range(requests + 3):
                    p = path()
                    statements[0] = 0
                    t0 = time.perf_counter()
                    r = c.get(p)
                    dt = time.perf_counter() - t0
                    assert r.status_code == 200, (p, r.status_code)
                    if k >= 3:  # warm-up requests are not counted
                        times.append(dt * 1000)
                        counts.append(statements[0])
                times.sort()
                p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
                out.append((who, label, statistics.median(times), p95, statistics.median(counts)))
                print(f"  {who} {label}: median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
                      f"SQL {statistics.median(counts):.0f}", flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--findings", type=int, default=60_000)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--db", help="database URL (default: a new SQLite file)")
    a = ap.parse_args()
    url = a.db or f"sqlite:///{Path(tempfile.mkdtemp(prefix='kptj-portal-bench-')) / 'kptj.sqlite3'}"
    t0 = time.perf_counter()
    build(url, a.units, a.findings)
    print(f"built {a.units} units, {a.findings} findings in {time.perf_counter() - t0:.1f} s ({url.split(':')[0]})")
    rows = measure(url, a.requests)
    print("\n| user | page | median ms | p95 ms | SQL statements |\n|---|---|---|---|---|")
    for who, label, med, p95, n in rows:
        print(f"| {who} | {label} | {med:.0f} | {p95:.0f} | {n:.0f} |")


if __name__ == "__main__":
    main()
