"""What `kptj messages` shows: each message with its attachments, for people and for JSON."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Attachment, Message

STATUS_TEXT = {"document": "扫描件", "duplicate": "重复（再次收到）", "unsupported": "不支持", "corrupt": "已损坏",
               "encrypted": "已加密", "empty": "空文件", "too_large": "过大", "link": "下载链接"}
STATE_TEXT = {"fetched": "已取回", "archived": "已存档", "extracted": "已拆分", "processed": "已处理",
              "done": "完成", "error": "出错"}
CLASS_TEXT = {"attachments": "有附件", "auto_reply": "自动回复", "bounce": "退信", "no_attachment": "无可用附件"}


def message_listing(session: Session) -> list[dict]:
    messages = session.scalars(select(Message).order_by(Message.id)).all()
    attachments: dict[int, list[Attachment]] = {}
    for att in session.scalars(select(Attachment).order_by(Attachment.message_id, Attachment.position,
                                                           Attachment.id)):
        attachments.setdefault(att.message_id, []).append(att)
    out = []
    for m in messages:
        out.append({
            "id": m.id, "archive_id": m.sha256, "archive_path": m.archive_path,
            "account": m.account, "folder": m.folder, "uidvalidity": m.uidvalidity, "uid": m.uid,
            "sender": m.sender, "subject": m.subject,
            "date": m.sent_at.isoformat() if m.sent_at else None,
            "state": m.state, "classification": m.classification, "attempts": m.attempts,
            "error": m.last_error, "decode_warnings": m.decode_warnings or [],
            "attachments": [{
                "id": a.id, "name": a.name, "sha256": a.sha256, "size": a.size,
                "detected_type": a.detected_type, "status": a.status, "detail": a.detail,
                "from": a.member_path, "duplicate_of": a.duplicate_of, "pages": a.page_count,
                "url": a.url, "archive_path": a.archive_path,
            } for a in attachments.get(m.id, [])],
        })
    return out
