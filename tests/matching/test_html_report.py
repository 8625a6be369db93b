"""The auditors' HTML report, opened in a real headless Chromium, shows the crop of each spot."""

import shutil
import subprocess

import numpy as np
from PIL import Image
from sqlalchemy import select

from matching.findings import NewFinding, sync_findings
from matching.reports import finding_rows, findings_html
from registry.db import open_db
from registry.models import Attachment, Document, Message, Page, Unit
from registry.roster_import import import_roster
from tests.registry.builders import ROSTER_HEADER, roster_rows, write_csv

BLUE = (20, 40, 230)


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    assert path, "chromium is installed by bootstrap.sh for the tests"
    return path


def test_html_report_shows_the_crop_beside_the_values(tmp_path):
    s = open_db(f"sqlite:///{tmp_path / 'k.db'}")()
    import_roster(s, write_csv(tmp_path / "r.csv", ROSTER_HEADER, roster_rows()), 2024)
    page_img = Image.new("RGB", (1200, 1600), "white")
    page_img.paste(BLUE, (600, 400, 800, 460))  # the "figure" the finding points at
    page_path = tmp_path / "page1.jpg"
    page_img.save(page_path, quality=95)
    msg = Message(account="a", folder="INBOX", uid=1, uidvalidity=1, sha256="0" * 64, state="done")
    s.add(msg)
    s.flush()
    att = Attachment(message_id=msg.id, name="和平区科技局.pdf", status="document")
    s.add(att)
    s.flush()
    unit_id = s.scalar(select(Unit.id).where(Unit.account == "hp_kjj"))
    doc = Document(attachment_id=att.id, unit_id=unit_id, status="read")
    s.add(doc)
    s.flush()
    page = Page(attachment_id=att.id, document_id=doc.id, source_index=0, page_no=1, image_path=str(page_path))
    s.add(page)
    s.flush()
    sync_findings(s, 2024, ["figure_mismatch"], [NewFinding(
        "figure_mismatch", unit_id, indicator="P01", online_value="12", scanned_value="15", message_id=msg.id,
        attachment_id=att.id, document_id=doc.id, page_id=page.id, box=[600, 400, 800, 460],
        detail={"reason": "纸质 15，网上 12"})])
    s.commit()
    html_path = tmp_path / "report.html"
    html_path.write_text(findings_html(finding_rows(s, 2024), "问题清单"), encoding="utf-8")
    assert "数值与网上不一致" in html_path.read_text(encoding="utf-8")

    shot = tmp_path / "shot.png"
    subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900",
                    f"--screenshot={shot}", html_path.as_uri()], check=True, capture_output=True, timeout=120)
    px = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    blue = (abs(px[..., 0] - BLUE[0]) < 30) & (abs(px[..., 1] - BLUE[1]) < 30) & (abs(px[..., 2] - BLUE[2]) < 30)
    assert blue.sum() > 2000, "the crop image did not load into the rendered report"
