"""Pure logic: configuration errors, editable templates, the words units read."""

from __future__ import annotations

from pathlib import Path

import pytest

from outbox.compose import render
from outbox.config import MailConfigError, parse_mail_config
from outbox.wording import for_unit, phrase
from registry.models import Finding, Page
from registry.template import default_template


def _cfg(tmp_path: Path, **conf: object):  # noqa: ANN202
    return parse_mail_config({"from": "研究所 <kp@tj.gov.cn>", **conf}, tmp_path / "mail.toml", tmp_path)


@pytest.mark.parametrize(("conf", "words"), [
    ({"password": "x"}, "不能直接写密码"),
    ({"smtp": "http://x"}, "发信服务器地址格式不对"),
    ({"auto_approve": ["receipt", "spam"]}, "不认识的邮件类型"),
    ({"colour": "red"}, "不认识的设置 colour"),
    ({"deadlines": {"scan": "30/6/2025"}}, "截止日期格式不对"),
])
def test_configuration_errors_are_chinese_sentences(tmp_path: Path, conf: dict, words: str) -> None:
    with pytest.raises(MailConfigError, match=words):
        _cfg(tmp_path, **conf)


def test_a_template_in_the_workspace_overrides_the_packaged_one(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    values = {"year": 2024, "deadline": "2025-06-15", "deadline_label": "报送", "days_left": 2, "today": "2025-06-13",
              "unit_name": "某单位", "collect_address": "kp@tj.gov.cn"}
    subject, body = render("reminder", values, cfg.templates_dir)
    assert subject.startswith("提醒：请于 2025-06-15 前报送") and "某单位：" in body
    assert cfg.templates_dir is not None
    cfg.templates_dir.mkdir()
    (cfg.templates_dir / "reminder.txt").write_text("${unit_name}，请尽快报送\n\n截止 ${deadline}。\n", encoding="utf-8")
    assert render("reminder", values, cfg.templates_dir) == ("某单位，请尽快报送", "截止 2025-06-15。\n")
    (cfg.templates_dir / "reminder.txt").write_text("${单位}\n\n正文\n", encoding="utf-8")
    with pytest.raises(MailConfigError, match="格式有误|不认识的占位符"):
        render("reminder", values, cfg.templates_dir)


def test_findings_in_words_a_unit_understands() -> None:
    t = default_template()
    page3 = Page(source_index=2, page_no=3)
    assert phrase(Finding(kind="seal_missing", severity="error"), page3, t) == "第 3 页未盖章"
    assert phrase(Finding(kind="signature_missing", severity="error", indicator="单位负责人"), page3, t) == "单位负责人未签字"
    assert phrase(Finding(kind="scan_stale", severity="warning"), None, t) == "数据已在网上修改，请重新导出打印"
    assert phrase(Finding(kind="page_missing", severity="error", detail={"page_no": 2}), None, t) == "缺少第 2 页"
    code = t.codes[0]
    text = phrase(Finding(kind="figure_mismatch", severity="error", indicator=code, online_value="15",
                          scanned_value="12"), page3, t)
    assert text.startswith(f"第 3 页“{t.indicator(code).bare_label}”纸质报表为 12，网上为 15")
    # what only staff can settle is not put to the unit
    assert not for_unit(Finding(kind="figure_unreadable", severity="warning"))
    assert not for_unit(Finding(kind="seal_missing", severity="warning"))  # uncertain seal: a person looks first
    assert for_unit(Finding(kind="scan_illegible", severity="warning"))


def test_a_providers_own_bounce_format_is_matched_by_our_message_id(tmp_path: Path) -> None:
    from sqlalchemy import select

    from kptj.workspace import Workspace
    from outbox.bounces import record_bounces
    from registry.clock import utc_now
    from registry.models import Message
    from registry.outbox_models import BadAddress, OutgoingMail

    ws = Workspace(home=tmp_path / "home")
    mid = "<kptj-reminder-" + "ab" * 16 + "@tj.gov.cn>"
    raw = ("From: 系统退信 <postmaster@qq.com>\r\nSubject: =?utf-8?b?6YCA5L+h?=\r\nContent-Type: text/plain; "
           f"charset=utf-8\r\n\r\n抱歉，您的邮件无法送达。原邮件 Message-ID: {mid}\r\n").encode()
    (ws.archive_dir / "b.eml").write_bytes(raw)
    with ws.session() as s:
        s.add(OutgoingMail(year=2024, kind="reminder", dedupe_key="k", recipients=["Gone@qq.com"], subject="提醒",
                           body="x", message_id=mid, state="sent", attempts=1, permanent=False))
        s.add(Message(account="a", folder="INBOX", sha256="0" * 64, archive_path="b.eml", state="done",
                      classification="bounce", fetched_at=utc_now()))
        s.commit()
        assert record_bounces(ws, s) == 1
        s.commit()
        assert record_bounces(ws, s) == 0  # once
        assert s.scalar(select(OutgoingMail.state)) == "failed"
        assert s.scalar(select(BadAddress.address)) == "gone@qq.com"
