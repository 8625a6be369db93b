"""The portal driven in a real headless Chromium (Debian's chromium through Playwright)."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from sqlalchemy import func, select

from registry.portal_models import AuditEntry, Decision


def _status(portal) -> dict[str, str]:
    """What `kptj status --format json` says, run as a separate process on the same workspace."""
    r = subprocess.run([sys.executable, "-m", "kptj", "--home", str(portal.world.home), "status", "--format", "json"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return {x["account"]: x["scan"] for x in json.loads(r.stdout)}


def _decide(page, finding_id: int, kind: str, reason: str, value: str | None = None) -> None:
    row = page.locator(f"#finding-{finding_id}")
    row.locator("select[name=kind]").select_option(kind)
    if value is not None:
        row.locator("input[name=value]").fill(value)
    row.locator("input[name=reason]").fill(reason)
    with page.expect_response(re.compile(f"/findings/{finding_id}/decide")) as resp:
        row.locator("button[type=submit]").click()
    assert resp.value.status == 200
    page.wait_for_selector(f"#finding-{finding_id}.decided")


def test_staff_decides_findings_and_the_units_status_and_kptj_status_follow(portal, browser_page):
    page, w = browser_page, portal.world
    assert _status(portal)["hp_school1"] == "problem"
    page.login("staff1")
    assert page.url.endswith("/today") and "今日收取" in page.content()
    page.goto(portal.base + "/review")
    sig, fig = w.findings["hp_school1"]["signature_missing"], w.findings["hp_school1"]["figure_mismatch"]
    _decide(page, sig, "accept", "签字在第1页右下角，识别漏看")
    assert _status(portal)["hp_school1"] == "problem"  # the figure still differs
    _decide(page, fig, "correct", "放大后看清为12", value="12")  # equals the online figure: cleared
    row = page.locator(f"#finding-{fig}").inner_text()
    assert "更正识别数值" in row and "放大后看清为12" in row and "staff1" in row
    assert _status(portal)["hp_school1"] == "ok"
    page.goto(f"{portal.base}/units/{w.units['hp_school1'].id}")
    assert page.locator(".card.ok").first.inner_text().endswith("合格")
    # a confirmed problem on a clean-looking unit keeps it a problem; the daily report's counts follow
    page.goto(portal.base + "/review")
    _decide(page, w.findings["sj_kx"]["signature_missing"], "confirm", "确实没有签字")
    _decide(page, w.findings["sj_kx"]["figure_mismatch"], "correct", "纸上是13", value="13")
    assert _status(portal)["sj_kx"] == "problem"
    with portal.sessions() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.action.like("decision.%"))))
        assert {(e.user_name, e.ip) for e in rows} == {("staff1", "127.0.0.1")}
        assert {e.reason for e in rows} >= {"签字在第1页右下角，识别漏看", "确实没有签字"}
        assert {d.effect for d in s.scalars(select(Decision).where(Decision.reason == "纸上是13"))} == {"problem"}


def test_bureau_sees_exactly_its_subtree_and_404_elsewhere(portal, browser_page):
    page, w = browser_page, portal.world
    page.login("hp_edu")
    assert page.url.endswith("/bureau") and "天津市和平区教育局 及下属单位" in page.content()
    page.goto(portal.base + "/units")
    accounts = set(page.locator("table small").all_inner_texts())
    assert accounts == {"hp_jyj", "hp_school1", "hp_school2"}
    other = w.units["hp_wlj"]  # same district, other branch
    for url in (f"/units/{other.id}", f"/units/{w.units['sj_kx'].id}",
                f"/findings/{w.findings['hp_wlj']['figure_mismatch']}/crop.jpg",
                f"/pages/{w.pages['sj_kx']}/thumb.jpg", "/export/hp_kjj/status.xlsx", "/export/sj_kx/findings.xlsx"):
        resp = page.goto(portal.base + url)
        assert resp.status == 404, url
        assert "不在您可查看的范围内" in page.content()
    assert page.goto(f"{portal.base}/findings/{w.findings['hp_school1']['figure_mismatch']}/crop.jpg").status == 200
    own = page.request.get(portal.base + "/export/hp_jyj/status.xlsx")
    assert own.status == 200 and own.body()[:2] == b"PK"


def test_auditor_reads_everything_and_cannot_change_anything(portal, browser_page):
    page, w = browser_page, portal.world
    page.login("audit1")
    assert page.url.endswith("/audit")
    assert page.locator("img.crop").count() > 0 and page.locator("form.decide").count() == 0
    page.goto(f"{portal.base}/units/{w.units['hp_school1'].id}")
    assert page.locator("form.decide").count() == 0
    token = json.loads(page.locator("body").get_attribute("hx-headers"))["X-CSRF-Token"]
    fid = w.findings["hp_school1"]["signature_missing"]
    r = page.request.post(f"{portal.base}/findings/{fid}/decide", headers={"X-CSRF-Token": token},
                          form={"kind": "accept", "reason": "审计人员试图修改"})
    assert r.status == 403
    r = page.request.post(portal.base + "/users", headers={"X-CSRF-Token": token},
                          form={"name": "x1", "role": "admin", "password": "12345678abc"})
    assert r.status == 403
    assert page.goto(portal.base + "/review").status == 403
    with portal.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0
    assert _status(portal)["hp_school1"] == "problem"


def test_a_form_without_its_csrf_token_is_refused(portal, browser_page):
    page, w = browser_page, portal.world
    page.login("staff1")
    page.goto(portal.base + "/review")
    fid = w.findings["hp_school1"]["signature_missing"]
    # strip the token from the form and from HTMX's headers, and submit it as a plain form
    page.evaluate(f"""() => {{ document.body.removeAttribute('hx-headers');
        const f = document.querySelector('#finding-{fid} form');
        f.removeAttribute('hx-post'); f.querySelector('input[name=csrf_token]').remove();
        f.querySelector('input[name=reason]').value = '无令牌'; f.submit(); }}""")
    page.wait_for_load_state("networkidle")
    assert "安全令牌" in page.content()
    # an HTMX request with a wrong token is refused too
    r = page.request.post(f"{portal.base}/findings/{fid}/decide", headers={"X-CSRF-Token": "forged", "HX-Request": "true"},
                          form={"kind": "accept", "reason": "伪造"})
    assert r.status == 403
    with portal.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Decision)) == 0
