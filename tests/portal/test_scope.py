"""Scope, exhaustively: every GET route, with every id and account in the database, for users of two
bureaus; no response may name a unit outside the user's subtree, and an object outside it is a 404.
On SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry.models import Finding, Page, Unit
from registry.tree import subtree

SUBTREE = {"hp_edu": {"hp_jyj", "hp_school1", "hp_school2"}, "city": {"sj_kx", "sj_kx_kjg"}}
BOUND = {"hp_edu": "hp_jyj", "city": "sj_kx"}
# query strings each list route is also walked with (filters must not widen the scope)
QUERIES = {"/units": ["", "?scan=missing", "?scan=problem", "?admin=hp_kjj", "?admin=sj_kx", "?admin=hp_jyj",
                      "?district=和平区", "?district=市级", "?overdue=true", "?q=天津", "?page=2"],
           "/bureau": ["", "?admin=hp_kjj", "?admin=sj_kx"], "/review": ["", "?decided=true"],
           "/audit": ["", "?state=resolved"], "/log": ["", "?action=login"]}


def _values(portal) -> dict[str, dict[str, str]]:
    """Path parameter name -> {value: account of the unit it belongs to}."""
    with portal.sessions() as s:
        units = {u.id: u.account for u in s.scalars(select(Unit))}
        findings = {str(f.id): units[f.unit_id] for f in s.scalars(select(Finding))}
        pages = {str(p.id): acc for acc, pid in portal.world.pages.items() for p in [s.get(Page, pid)]}
    return {"unit_id": {str(i): a for i, a in units.items()}, "finding_id": findings, "page_id": pages,
            "account": {a: a for a in units.values()}}


def _text(resp) -> str:
    if resp.headers.get("content-type", "").startswith("application/vnd.openxml"):
        wb = load_workbook(io.BytesIO(resp.content), read_only=True)
        return "\n".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row)
    if resp.headers.get("content-type", "").startswith("image/"):
        return ""
    return resp.text


def _get_routes(routes: list) -> list:
    """Every GET API route, also inside included routers (no prefixes are used)."""
    from fastapi.routing import APIRoute

    out = []
    for r in routes:
        if isinstance(r, APIRoute) and "GET" in r.methods:
            out.append(r)
        elif hasattr(r, "original_router"):  # how FastAPI keeps an included router
            out.extend(_get_routes(r.original_router.routes))
    return out


def _walk(portal, name: str) -> list[tuple[str, int, str, str | None]]:
    """(url, status, text, account of the object addressed) for every GET route and every value."""
    values = _values(portal)
    c = portal.client(name)
    out = []
    routes = _get_routes(portal.app.routes)
    assert len(routes) >= 15
    for route in routes:
        params = re.findall(r"{(\w+)}", route.path)
        assert len(params) <= 1, route.path
        if not params:
            for q in QUERIES.get(route.path, [""]):
                r = c.get(route.path + q)
                out.append((route.path + q, r.status_code, _text(r), None))
            continue
        assert params[0] in values, f"new route parameter {params[0]}: add its values to this test"
        for value, owner in values[params[0]].items():
            url = route.path.replace("{" + params[0] + "}", value)
            r = c.get(url)
            out.append((url, r.status_code, _text(r), owner))
    return out


@pytest.mark.parametrize("name", ["hp_edu", "city"])
def test_every_route_shows_a_bureau_only_its_subtree(portal_any_db, name):
    portal = portal_any_db
    mine = SUBTREE[name]
    with portal.sessions() as s:
        assert {u.account for u in subtree(s, 2024, BOUND[name])} == mine
        others = [u for u in s.scalars(select(Unit)) if u.account not in mine]
    walked = _walk(portal, name)
    assert len(walked) > 60
    shown = 0
    for url, status, text, owner in walked:
        assert status in (200, 303, 403, 404), (url, status)
        if owner is not None:
            assert (status == 200) == (owner in mine), (url, status)
        if status == 200:
            shown += 1
            for u in others:
                for leak in (u.name, u.uscc, f">{u.account}<", f"/{u.account}/", f"admin={u.account}"):
                    assert leak not in text, (name, url, leak)
    assert shown > 10


def test_the_same_walk_shows_staff_everything(portal):
    """The walk can see a leak: for a staff user the other bureau's units do appear."""
    texts = "\n".join(t for url, status, t, _ in _walk(portal, "staff1") if status == 200)
    assert "天津科学技术馆" in texts and "天津市和平区鞍山道小学" in texts


@pytest.mark.parametrize("name", ["hp_edu", "city"])
def test_a_bureau_can_change_nothing_even_in_its_subtree(portal, name):
    c = portal.client(name)
    token = c.get("/units").text.split('"X-CSRF-Token": "')[1].split('"')[0]
    for acc in SUBTREE[name]:
        for fid in portal.world.findings.get(acc, {}).values():
            r = c.post(f"/findings/{fid}/decide", headers={"X-CSRF-Token": token},
                       data={"kind": "accept", "reason": "管理单位不能处理"})
            assert r.status_code == 403
    assert c.post("/users", headers={"X-CSRF-Token": token},
                  data={"name": "x", "role": "admin", "password": "long-enough-1"}).status_code == 403
