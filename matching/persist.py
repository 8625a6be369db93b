"""Store a read document as a Document row; its pages and readings are stored by ocr.store."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from matching.plain import plain
from ocr.identity import parse_print_time
from ocr.model import DocumentReading
from ocr.store import store_document as store_pages
from registry.models import Document, Page
from registry.template import Template


def store_document(session: Session, doc: DocumentReading, attachment_ids: dict[str, int], unit_id: int | None,
                   match_detail: dict[str, Any], template: Template,
                   decisions: dict[str, str] | None) -> tuple[Document, list[Page]]:
    """attachment_ids maps a page's source path to its attachment; decisions (code -> matches /
    differs / unreadable, when the unit has an online record) are stored with the readings."""
    row = Document(attachment_id=attachment_ids[doc.pages[0].source], unit_id=unit_id, status="new",
                   page_count=len(doc.pages), pages_expected=doc.page_total, print_time=parse_print_time(doc.print_time),
                   match_detail=plain(match_detail))
    session.add(row)
    session.flush()
    pages = store_pages(session, doc, attachment_id=attachment_ids, document_id=row.id, template=template,
                        decisions=decisions)
    return row, pages
