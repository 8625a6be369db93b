"""Store a read document (ocr.model) as Document, Page and Reading rows, with its evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from matching.evaluate import FigureDecision
from matching.plain import plain
from ocr.model import DocumentReading, PageReading
from registry.models import Document, Page, Reading


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M")
    except ValueError:
        return None


def _seal_box(page: PageReading) -> list[int] | None:
    box = getattr(page.seal, "box", None)
    return plain(box) if box else None


def _signatures(page: PageReading) -> dict[str, Any] | None:
    if page.signatures is None:
        return None
    return plain({role: {"status": r.status, "score": r.score, "box": r.box, "reason": r.reason}
                  for role, r in page.signatures.items()})


def store_document(session: Session, doc: DocumentReading, attachment_ids: dict[str, int], unit_id: int | None,
                   match_detail: dict[str, Any], template_id: str) -> tuple[Document, list[Page]]:
    """attachment_ids maps a page's source path to its attachment (a message's images form one document)."""
    first_att = attachment_ids[doc.pages[0].source]
    row = Document(attachment_id=first_att, unit_id=unit_id, status="new", page_count=len(doc.pages),
                   pages_expected=doc.page_total, print_time=_time(doc.print_time), match_detail=match_detail)
    session.add(row)
    session.flush()
    pages = []
    for p in doc.pages:
        ident = p.identity
        page = Page(attachment_id=attachment_ids[p.source], document_id=row.id, source_index=p.index,
                    image_path=p.image_path, rotation=p.rotation, unit_name_read=ident.unit_name,
                    uscc_read=ident.uscc or ident.uscc_text, page_no=ident.page_no, page_total=ident.page_total,
                    print_time=_time(ident.print_time), seal=getattr(p.seal, "status", None),
                    seal_score=plain(getattr(p.seal, "score", None)), seal_box=_seal_box(p), signatures=_signatures(p),
                    detail=plain({"skew": p.skew, "method": p.method, "engine": p.engine, "seconds": round(p.seconds, 2),
                            "size": list(p.size), "problems": p.problems,
                            "seal_reason": getattr(p.seal, "reason", None),
                            "seal_method": getattr(p.seal, "method", None),
                            "is_signature_page": p.is_signature_page}))
        session.add(page)
        pages.append(page)
    session.flush()
    return row, pages


def store_readings(session: Session, doc: DocumentReading, pages: list[Page], decisions: list[FigureDecision],
                   template_id: str) -> None:
    by_code = {d.code: d for d in decisions}
    rows = []
    for p, page in zip(doc.pages, pages, strict=True):
        for code, fig in p.figures.items():
            d = by_code.get(code)
            rows.append(Reading(page_id=page.id, code=code, text=fig.text, value=fig.value,
                                confidence=float(fig.confidence), box=plain(fig.box) if fig.box else None,
                                crop_path=fig.crop_path, engine=fig.engine.split(" ")[0] if fig.engine else None,
                                engine_version=fig.engine, template_id=template_id,
                                decision=d.kind if d and d.figure is fig else None))
    session.add_all(rows)
