"""A small portal world on a real database: the builders' roster and records, one scan per unit with
pages (real PNG files), readings with crops and findings, and one user per role (two bureaus).

No scan is read (reading is slow and tested elsewhere): documents, pages and findings are written
as the reader would have written them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session

from matching.findings import NewFinding, sync_findings
from portal.auth import add_user
from registry.models import Attachment, Document, Message, Page, Reading, Unit
from registry.records_import import import_records
from registry.roster_import import import_roster
from registry.template import default_template
from tests.registry.builders import (
    ROSTER_HEADER,
    consistent_values,
    record_row,
    records_header,
    roster_rows,
    write_csv,
)

PASSWORD = "portal-test-pw"
# who logs in as what; the two bureaus' subtrees are disjoint
USERS = {"staff1": ("staff", None), "audit1": ("auditor", None), "admin1": ("admin", None),
         "hp_edu": ("bureau", "hp_jyj"), "city": ("bureau", "sj_kx")}
WITH_SCAN = ("hp_kjj", "hp_jyj", "hp_school1", "hp_wlj", "sj_kx", "sj_kx_kjg")  # hp_school2 etc. never sent


@dataclass
class World:
    home: Path
    url: str
    units: dict[str, Unit] = field(default_factory=dict)
    findings: dict[str, dict[str, int]] = field(default_factory=dict)  # account -> kind -> finding id
    pages: dict[str, int] = field(default_factory=dict)  # account -> page id


FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _font(size: int):  # type: ignore[no-untyped-def]
    return ImageFont.truetype(str(FONT), size) if FONT.exists() else ImageFont.load_default()


def _page_png(path: Path, unit_name: str) -> str:
    """A page that looks like a form: title, a few rows, the figure that differs at the P01 box."""
    img = Image.new("RGB", (600, 800), "white")
    d = ImageDraw.Draw(img)
    d.text((40, 30), "科普统计调查表", fill="black", font=_font(28))
    d.text((40, 70), f"单位名称：{unit_name}", fill="black", font=_font(16))
    for i, (label, value) in enumerate([("科普专职人员（P01）", "13"), ("科普兼职人员（P08）", "30"),
                                         ("科普经费筹集额（F01）", "35.50")]):
        y = 100 + i * 40
        d.rectangle((40, y, 560, y + 40), outline="black", width=1)
        d.text((50, y + 8), label, fill="black", font=_font(16))
        d.text((480, y + 8), value, fill="black", font=_font(18))
    d.ellipse((380, 600, 540, 760), outline=(200, 30, 30), width=5)  # the seal
    img.save(path)
    return str(path)


def _crop_png(path: Path, text: str) -> str:
    img = Image.new("RGB", (140, 48), "white")
    ImageDraw.Draw(img).text((40, 6), text, fill="black", font=_font(28))
    img.save(path)
    return str(path)


def build(s: Session, home: Path, url: str, year: int = 2024) -> World:
    rows = roster_rows()
    import_roster(s, write_csv(home / "roster.csv", ROSTER_HEADER, rows), year)
    vals = consistent_values()
    records = [record_row(r[0], r[1], r[2], **vals) for r in rows]
    import_records(s, write_csv(home / "records.csv", records_header(), records), default_template(year), year)
    w = World(home, url, {u.account: u for u in s.scalars(select(Unit).where(Unit.year == year))})
    imgs = home / "pages"
    imgs.mkdir(exist_ok=True)
    found: list[NewFinding] = []
    for n, acc in enumerate(WITH_SCAN, 1):
        u = w.units[acc]
        msg = Message(account="collector", folder="INBOX", uidvalidity=1, uid=n, sha256=f"{n:064d}",
                      state="processed", sender=f"{acc}@example.cn", subject=f"{u.name} 科普统计调查表")
        s.add(msg)
        s.flush()
        att = Attachment(message_id=msg.id, name=f"{acc}.pdf", sha256=f"{n:064x}", status="document")
        s.add(att)
        s.flush()
        doc = Document(attachment_id=att.id, unit_id=u.id, status="read", page_count=1, pages_expected=1)
        s.add(doc)
        s.flush()
        page = Page(attachment_id=att.id, document_id=doc.id, source_index=0, page_no=1, page_total=1,
                    image_path=_page_png(imgs / f"{acc}.png", u.name), seal="present")
        s.add(page)
        s.flush()
        w.pages[acc] = page.id
        crop = _crop_png(imgs / f"{acc}-P01.png", "13")
        s.add(Reading(page_id=page.id, code="P01", text="13", value="13", confidence=0.6, crop_path=crop,
                      box=[440, 100, 560, 140], decision="differs"))
        found.append(NewFinding("figure_mismatch", u.id, indicator="P01", online_value=vals["P01"],
                                scanned_value="13", document_id=doc.id, page_id=page.id, message_id=msg.id,
                                attachment_id=att.id, box=[440, 100, 560, 140], detail={"reason": "纸质数值与网上不同"}))
        found.append(NewFinding("signature_missing", u.id, indicator="负责人", document_id=doc.id,
                                page_id=page.id, detail={"reason": "未见单位负责人签字"}))
    for kind in ("figure_mismatch", "signature_missing"):
        sync_findings(s, year, [kind], [f for f in found if f.kind == kind])
    s.flush()
    from registry.models import Finding
    for f in s.scalars(select(Finding)):
        w.findings.setdefault(f.unit.account, {})[f.kind] = f.id
    for name, (role, admin) in USERS.items():
        add_user(s, year, name, role, PASSWORD, admin, by="test")
    s.commit()
    return w
