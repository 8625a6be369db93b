"""Screenshots of the portal's main pages for the README, taken in headless Chromium on the test world.

    python -m tests.portal.screenshots [docs/screenshots]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from matching.decisions import Actor, decide
from registry.models import Finding
from tests.portal.conftest import CHROMIUM, CHROMIUM_ARGS, _portal
from tests.portal.world import PASSWORD

SHOTS = [("staff1", "/today", "today.png"), ("staff1", "/review", "review.png"),
         ("staff1", "/units/{hp_school1}", "unit.png"), ("hp_edu", "/bureau", "bureau.png"),
         ("audit1", "/audit", "audit.png")]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="kptj-shots-"))
    gen = _portal(f"sqlite:///{home / 'kptj.sqlite3'}", home)
    portal = next(gen)
    with portal.sessions() as s:  # one decision, so the history and the auditor's list show one
        f = s.get(Finding, portal.world.findings["hp_kjj"]["signature_missing"])
        decide(s, f, "accept", "签字在第1页右下角，字迹较淡", Actor("staff1", None, "127.0.0.1"))
        s.commit()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for who, path, name in SHOTS:
            ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
            page = ctx.new_page()
            page.goto(portal.base + "/login")
            page.fill("input[name=name]", who)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(portal.base + path.format(hp_school1=portal.world.units["hp_school1"].id))
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name), full_page=False)
            ctx.close()
            print(out / name)
        browser.close()
    for _ in gen:
        pass


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
