"""The daily job's hook (`kptj run`): read new bounces, then draft what the day calls for.

Does nothing unless mail to units is configured (a `[mail]` table, see outbox.config). A broken
configuration or template is reported, never stops the run; sending stays `kptj mail send`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kptj.workspace import Workspace
from outbox.bounces import record_bounces
from outbox.config import MailConfigError, load_mail_config
from outbox.drafting import DraftReport, draft_all
from outbox.sending import SendBusy, SendReport, send_approved

log = logging.getLogger("kptj.outbox")


@dataclass
class MailRunSummary:
    bounces: int = 0
    drafts: DraftReport = field(default_factory=DraftReport)
    sent: SendReport | None = None
    error: str | None = None

    def as_text(self) -> str:
        if self.error:
            return f"给单位的邮件未能起草：{self.error}"
        from outbox.labels import KIND
        made = "；".join(f"{KIND.get(k, k)} {v}" for k, v in sorted(self.drafts.created.items())) or "无"
        text = f"给单位的邮件：新起草 {made}；处理退信 {self.bounces} 封"
        if self.drafts.no_address:
            text += f"；{len(self.drafts.no_address)} 封因无可用邮箱无法发送（见 kptj mail preview）"
        if self.sent is not None:
            text += f"；已发送 {self.sent.sent} 封，稍后重试 {self.sent.retry_later} 封，发送失败 {self.sent.failed} 封"
            if self.sent.stopped:
                text += f"（发送中止：{self.sent.stopped}）"
        return text


def after_run(ws: Workspace, today: date, config_path: Path | None = None,
              send: bool = True) -> MailRunSummary | None:
    """send=False: draft only, whatever `send_after_run` says (`kptj mail preview`)."""
    try:
        cfg = load_mail_config(ws.home, config_path)
        if cfg is None:
            return None
        out = MailRunSummary()
        with ws.session() as s:
            out.bounces = record_bounces(ws, s)
            out.drafts = draft_all(ws, s, cfg, today)
            s.commit()
        if send and cfg.send_after_run:
            out.sent = send_approved(ws, cfg)
    except (MailConfigError, SendBusy) as exc:
        log.warning("mail drafting skipped: %s", exc)
        return MailRunSummary(error=str(exc))
    log.info("mail: bounces=%d drafted=%s no_address=%d", out.bounces, dict(out.drafts.created),
             len(out.drafts.no_address))
    return out
