"""The administrator tree: who collects whose scans. A district bureau owns its whole subtree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Unit


@dataclass
class UnitNode:
    unit: Unit
    children: list[UnitNode]


class UnknownAccount(LookupError):
    pass


def load_tree(session: Session, year: int) -> tuple[list[UnitNode], dict[str, UnitNode]]:
    """Roots (units without administrator) and an index by account; children sorted by account."""
    units = list(session.scalars(select(Unit).where(Unit.year == year).order_by(Unit.account)))
    nodes = {u.id: UnitNode(u, []) for u in units}
    roots = []
    for u in units:
        parent = nodes.get(u.admin_id) if u.admin_id is not None else None
        (parent.children if parent else roots).append(nodes[u.id])
    return roots, {n.unit.account: n for n in nodes.values()}


def subtree(session: Session, year: int, admin_account: str, include_self: bool = True) -> list[Unit]:
    """Every unit under an administrator (depth-first), optionally with the administrator itself."""
    units = list(session.scalars(select(Unit).where(Unit.year == year)))
    by_account = {u.account: u for u in units}
    if admin_account not in by_account:
        raise UnknownAccount(admin_account)
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for u in units:
        children[u.admin_id].append(u)
    out: list[Unit] = []
    stack = [by_account[admin_account]]
    while stack:
        u = stack.pop()
        out.append(u)
        stack.extend(sorted(children[u.id], key=lambda x: x.account, reverse=True))
    return out if include_self else out[1:]


def subtree_ids(session: Session, year: int, admin_account: str) -> list[int]:
    """The ids of `subtree` (administrator first), from plain (id, admin_id) rows: fast on every request."""
    rows = session.execute(select(Unit.id, Unit.admin_id, Unit.account).where(Unit.year == year)).all()
    root = next((uid for uid, _, acc in rows if acc == admin_account), None)
    if root is None:
        raise UnknownAccount(admin_account)
    children: dict[int | None, list[int]] = defaultdict(list)
    for uid, admin_id, _ in rows:
        children[admin_id].append(uid)
    out, stack = [], [root]
    while stack:
        uid = stack.pop()
        out.append(uid)
        stack.extend(children[uid])
    return out
