"""Mail that carries no scan: auto-replies, bounces, unrelated mail, and hostile input."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from synth import names as N
from synth.mailbox import COLLECT_ADDR, Attachment, Mail
from synth.odd_files import huge_png, tiny_xlsx, zip_bomb
from synth.units import Unit

if TYPE_CHECKING:
    from synth.world import World


def noise_mails(w: World, rng: random.Random) -> None:
    """Auto-replies, bounces and unrelated mail, about one of each per hundred units."""
    k = max(1, w.n // 100)
    for _ in range(k):
        u = rng.choice(w.units)
        m = Mail(datetime(2025, 6, rng.randint(16, 29), rng.randint(8, 20), rng.randint(0, 59)), u.contact,
                 u.email, "自动回复: 关于报送2024年度科普统计调查表的通知",
                 "您好，您的来信已收到，我近期休假，回来后会尽快处理。", "auto_reply",
                 extra_headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
                 subject_style=rng.choice(["utf8", "gbk"]))
        m.shape = "auto_reply"
        w.mails.append(m)
    for _ in range(k):
        u = rng.choice(w.units)
        dom = rng.choice(["tj.gov.cn", "qq.com", "163.com"])
        inner = Mail(datetime(2025, 6, rng.randint(16, 29), 9, 0), "科普统计", COLLECT_ADDR,
                     "关于报送2024年度科普统计调查表的通知", "各单位：请于6月30日前报送盖章扫描件。", "notice")
        inner.message_id = f"<{rng.getrandbits(64):016x}@tj.gov.cn>"
        m = Mail(inner.date + timedelta(minutes=2), "Mail Delivery System", f"MAILER-DAEMON@{dom}",
                 "Undelivered Mail Returned to Sender",
                 f"This is the mail system at host mx.{dom}.\n\nI'm sorry to have to inform you that your message "
                 f"could not be delivered to one or more recipients.\n\n<{u.email}>: mailbox unavailable",
                 "bounce", report=f"Reporting-MTA: dns; mx.{dom}\n\nFinal-Recipient: rfc822; {u.email}\n"
                                  "Action: failed\nStatus: 5.1.1\n", forwarded=inner)
        m.shape = "bounce"
        w.mails.append(m)
    unrelated = [("科普讲解大赛报名表", "附件为报名表，请填写后回复。"),
                 ("关于召开2025年全国科普日活动筹备会的通知", "各有关单位：兹定于7月10日召开筹备会……"),
                 ("【发票】您的电子发票已开具", "尊敬的客户，您好！附件为电子发票。"),
                 ("Re: 会议室预定", "好的，收到。"), ("你好", "在吗？")]
    for i in range(k + 1):
        s, b = unrelated[i % len(unrelated)]
        addr = N.personal_email(rng) if rng.random() < 0.6 else N.gov_email(rng)
        atts = []
        if "报名表" in s:
            atts = [Attachment("报名表.xlsx", tiny_xlsx(),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               truth=[{"status": "unsupported", "documents": []}])]
        m = Mail(datetime(2025, 6, rng.randint(16, 30), rng.randint(8, 20), rng.randint(0, 59)), N.person(rng),
                 addr, s, b, "unrelated", atts, subject_style=rng.choice(["utf8", "gbk"]))
        m.shape = "unrelated"
        w.mails.append(m)


def hostile_mail(w: World, rng: random.Random, u: Unit, sname: str, saddr: str) -> None:
    """An image of absurd size and a zip bomb (both "too_large"), from `u`'s address."""
    bomb = Attachment(f"{u.name}扫描件.zip", zip_bomb(48 * 1024 * 1024), "application/zip",
                      truth=[{"status": "too_large", "documents": []}])
    huge = Attachment("IMG_超高分辨率扫描.png", huge_png(11000, 11000), "image/png",
                      truth=[{"status": "too_large", "documents": []}])
    m = Mail(datetime(2025, 6, rng.randint(17, 28), rng.randint(9, 17), rng.randint(0, 59)), sname, saddr,
             f"{u.name}扫描件（高清）", "扫描仪设置成最高分辨率了，文件比较大。", "scan", [bomb, huge],
             shape="too_large")
    w.mails.append(m)
