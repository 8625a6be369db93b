"""A real scanned form (synthetic world → real PDF → real OCR) processed into findings."""

import hashlib
import random
import shutil
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from matching.process import process_message
from registry.db import open_db
from registry.models import Attachment, Document, Finding, Message, Reading, Unit
from registry.records_import import import_records
from registry.roster_import import import_roster
from registry.template import default_template
from synth import demo_unit, demo_values, images_to_pdf, make_pages
from tests.registry.builders import ROSTER_HEADER, record_row, records_header, write_csv

T = default_template()


def _fmt(v, decimals):
    return "-" if v is None else f"{v:.{decimals}f}"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """One unit's 3-page colour scan; page 2 without seal; the online P01 differs from paper."""
    d = tmp_path_factory.mktemp("scan")
    rng = random.Random(11)
    unit = demo_unit()
    values = demo_values(unit, rng)
    pages = make_pages(unit, values, rng, layout="A", print_time=datetime(2025, 6, 18, 9, 30), dpi=200,
                       profile="colour", faults={"no_seal_pages": {2}})
    pdf = d / "scan.pdf"
    pdf.write_bytes(images_to_pdf([p.image for p in pages], dpi=200))
    return unit, values, pdf


def _setup(tmp_path, unit, values, pdf, online_change):
    s = open_db(f"sqlite:///{tmp_path / 'k.db'}")()
    import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, [
        [unit.account, unit.name, unit.uscc, "区科技局", "和平区", "", "否", "", "", "", ""]]), 2024)
    online = {c: _fmt(values.get(c), T.indicator(c).decimals) for c in T.codes} | online_change
    import_records(s, write_csv(tmp_path / "d.csv", records_header(), [
        record_row(unit.account, unit.name, unit.uscc, modified="2025-06-20 08:00:00", **online)]), T, 2024)
    arch = tmp_path / "archive.pdf"
    shutil.copy(pdf, arch)
    msg = Message(account="a", folder="INBOX", uidvalidity=1, uid=1, sha256="0" * 64, state="extracted")
    s.add(msg)
    s.flush()
    att = Attachment(message_id=msg.id, name="scan.pdf", sha256=hashlib.sha256(arch.read_bytes()).hexdigest(),
                     detected_type="pdf", status="document", archive_path=arch.name)
    s.add(att)
    s.commit()
    return s, msg


def test_scan_is_matched_and_every_fault_becomes_a_finding(tmp_path, scanned):
    unit, values, pdf = scanned
    paper_p01 = values["P01"]
    changed = str((paper_p01 or Decimal(0)) + 250)  # a different length: no OCR look-alike
    s, msg = _setup(tmp_path, unit, values, pdf, {"P01": changed})
    out = process_message(s, msg, T, 2024, tmp_path / "pages", tmp_path)
    s.commit()
    assert (out.documents, out.identified, out.unknown) == (1, 1, 0)
    doc = s.scalar(select(Document))
    assert doc.unit_id == s.scalar(select(Unit.id)) and doc.status == "read" and doc.match_detail["method"] == "code+name"
    kinds = {(f.kind, f.indicator) for f in s.scalars(select(Finding))}
    assert ("figure_mismatch", "P01") in kinds
    assert ("scan_stale", None) in kinds  # printed 06-18 09:30, online changed 06-20
    seal = [f for f in s.scalars(select(Finding).where(Finding.kind == "seal_missing"))]
    assert [f.severity for f in seal] == ["error"] and seal[0].page_id is not None
    mismatch = s.scalar(select(Finding).where(Finding.kind == "figure_mismatch", Finding.indicator == "P01"))
    assert mismatch.online_value == changed and mismatch.scanned_value == _fmt(paper_p01, 0)
    assert mismatch.box and mismatch.detail["crop"]
    false_differs = [f.indicator for f in s.scalars(select(Finding).where(Finding.kind == "figure_mismatch"))
                     if f.indicator != "P01"]
    assert false_differs == []
    assert s.scalar(select(Reading).where(Reading.code == "P02")).decision in ("matches", "unreadable")


def test_resubmission_supersedes_the_older_scan_and_online_change_is_flagged(tmp_path, scanned):
    unit, values, pdf = scanned
    s, msg = _setup(tmp_path, unit, values, pdf, {})
    process_message(s, msg, T, 2024, tmp_path / "pages", tmp_path)
    s.commit()
    first = s.scalar(select(Document))
    msg2 = Message(account="a", folder="INBOX", uidvalidity=1, uid=2, sha256="2" * 64, state="extracted")
    s.add(msg2)
    s.flush()
    s.add(Attachment(message_id=msg2.id, name="更正.pdf", sha256="3" * 64, detected_type="pdf",
                     status="document", archive_path="archive.pdf"))
    s.commit()
    process_message(s, msg2, T, 2024, tmp_path / "pages", tmp_path)
    s.commit()
    s.refresh(first)
    second = s.scalar(select(Document).where(Document.id != first.id))
    assert first.superseded_by == second.id and second.superseded_by is None
    old_open = s.scalars(select(Finding).where(Finding.document_id == first.id, Finding.state == "open")).all()
    assert old_open == []
    assert s.scalar(select(Finding).where(Finding.kind == "superseded")).detail["new_document"] == second.id
    assert s.scalar(select(Finding).where(Finding.kind == "seal_missing", Finding.document_id == second.id))

    # the unit then changes P03 online: the matched scan no longer backs the record
    from matching.recheck import flag_changes_after_scan
    online = {c: _fmt(values.get(c), T.indicator(c).decimals) for c in T.codes}
    online["P03"] = str(int(online["P03"]) + 300 if online["P03"] != "-" else 300)
    res = import_records(s, write_csv(tmp_path / "d2.csv", records_header(), [
        record_row(unit.account, unit.name, unit.uscc, modified="2025-06-25 08:00:00", **online)]), T, 2024)
    assert flag_changes_after_scan(s, res.batch_id, 2024) == 1
    f = s.scalar(select(Finding).where(Finding.kind == "record_changed_after_scan"))
    assert (f.indicator, f.online_value, f.document_id) == ("P03", online["P03"], second.id)
