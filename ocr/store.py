"""Persist a read document into registry.models.Page and Reading (evidence for reports).

Columns the models lack go into Page.detail (JSON): method, skew, size, title, uscc as read,
problems, signature-page flag, seal reason/method, source file and engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, is_dataclass
from typing import Any

from sqlalchemy.orm import Session

from ocr.decide import decide
from ocr.engines import rapid, tess
from ocr.identity import parse_print_time
from ocr.model import DocumentReading, PageReading
from registry.models import Page, Reading
from registry.template import Template, default_template


def _jsonable(obj: Any) -> Any:  # noqa: ANN401
    if is_dataclass(obj):
        return {k: _jsonable(v) for k, v in asdict(obj).items()}
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    return obj


def _engine_version(engine: str) -> str | None:
    """Version of the main engine named in a reading's engine string."""
    if engine.startswith(rapid.NAME):
        return rapid.version()
    if engine.startswith(tess.NAME):
        return tess.version()
    return None


def page_row(page: PageReading, *, attachment_id: int, document_id: int | None) -> Page:
    ident = page.identity
    seal = page.seal
    return Page(
        attachment_id=attachment_id, document_id=document_id, source_index=page.index,
        image_path=page.image_path, rotation=page.rotation, unit_name_read=ident.unit_name,
        uscc_read=ident.uscc or ident.uscc_text, page_no=ident.page_no, page_total=ident.page_total,
        print_time=parse_print_time(ident.print_time),
        seal=getattr(seal, "status", None), seal_score=getattr(seal, "score", None),
        seal_box=list(_jsonable(seal.box)) if getattr(seal, "box", None) is not None else None,
        signatures=_jsonable(page.signatures) if page.signatures is not None else None,
        detail={
            "source": page.source, "method": page.method, "skew": page.skew, "size": list(page.size),
            "title": ident.title, "uscc_text": ident.uscc_text, "problems": page.problems,
            "is_signature_page": page.is_signature_page, "engine": page.engine,
            "template_id": page.template_id, "seconds": page.seconds, "stage_cpu": page.stage_cpu,
            "seal_reason": getattr(seal, "reason", None), "seal_method": getattr(seal, "method", None),
            "seal_box_format": "xywh", "table": page.table,
        },
    )


def store_document(session: Session, doc: DocumentReading, *, attachment_id: int | Mapping[str, int],
                   document_id: int | None = None, online: dict[str, str | None] | None = None,
                   template: Template | None = None, decisions: Mapping[str, str] | None = None) -> list[Page]:
    """Add Page + Reading rows for every page of `doc` (flushes, does not commit).

    `attachment_id` is one attachment, or a map from each page's source file to its attachment
    (a message's page images form one document).

    Each Reading also gets its decision: from `decisions` (code -> kind, as matching decided
    them) or else decided here against `online` (code -> online value). A figure read on a
    repeated page is stored on each page; the decision belongs to the document's best reading."""
    template = template or default_template()
    best = doc.figures
    rows: list[Page] = []
    for page in doc.pages:
        att = attachment_id if isinstance(attachment_id, int) else attachment_id[page.source]
        row = page_row(page, attachment_id=att, document_id=document_id)
        session.add(row)
        session.flush()
        for code, fig in page.figures.items():
            decision = None
            if best.get(code) is fig:
                if decisions is not None:
                    decision = decisions.get(code)
                elif online is not None:
                    decision = decide(fig, online.get(code), template.indicator(code).decimals).kind
            session.add(Reading(
                page_id=row.id, code=code, text=fig.text[:64], value=fig.value, confidence=float(fig.confidence),
                box=[int(v) for v in fig.box] if fig.box is not None else None, crop_path=fig.crop_path,
                engine=fig.engine[:64], engine_version=_engine_version(fig.engine), template_id=page.template_id,
                decision=decision))
        rows.append(row)
    session.flush()
    return rows
