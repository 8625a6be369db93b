"""`kptj audit`: the template's rules over every online record, stored as rule_violation findings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.findings import NewFinding, sync_findings
from matching.rules import check_record
from registry.models import Unit
from registry.records import record_values, units_with_venue_account
from registry.template import Template


@dataclass
class AuditResult:
    records: int
    violations: int
    added: int
    resolved: int


def audit_records(session: Session, template: Template, year: int) -> AuditResult:
    values = record_values(session, year)
    with_venue = units_with_venue_account(session, year)
    venue_units = {uid for (uid,) in session.execute(select(Unit.id).where(Unit.year == year,
                                                                           Unit.is_venue.is_(True)))}
    found: list[NewFinding] = []
    for unit_id, vals in values.items():
        exempt = unit_id in with_venue or unit_id in venue_units
        for v in check_record(template, vals, has_venue_account=exempt):
            found.append(NewFinding(kind="rule_violation", unit_id=unit_id, rule=v.rule,
                                    indicator=",".join(v.indicators),
                                    online_value="; ".join(f"{c}={x if x is not None else '-'}" for c, x in v.values.items()),
                                    detail={"title": v.title, "message": v.message, "values": v.values,
                                            "template": template.id}))
    added, resolved = sync_findings(session, year, ["rule_violation"], found, resolve_reason="网上数据已更正")
    session.commit()
    return AuditResult(len(values), len(found), added, resolved)
