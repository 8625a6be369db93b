"""The world's mails: who sends which scans, in which shape, and the noise around them (WORLD.md §5).

Every draw comes from one stream (seed * 7919 + 5) in a fixed order: routing, bundles, direct
sends, units' own copies of bundled scans, then synth.noise's mail. Reordering the steps changes the
world of a seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from synth import names as N
from synth.mailbox import Attachment, Mail, all_attachments, make_zip, sha256
from synth.noise import hostile_mail, noise_mails
from synth.odd_files import encrypt_pdf
from synth.packaging import DocSpec
from synth.units import Unit

if TYPE_CHECKING:
    from synth.world import World

BUREAU_BODIES = [
    "您好：\n附件是{who}2024年度科普统计调查表盖章扫描件，共{n}家单位，请查收。\n{person}\n联系电话：{phone}",
    "老师您好，{who}科普统计调查表扫描件已汇总，见附件。如有问题请联系。\n{person} {phone}",
    "附件：{who}及所属单位调查表（盖章）。",
]
DIRECT_BODIES = [
    "您好！\n附件为{name}2024年度科普统计调查表（盖章扫描件），请查收。\n联系人：{person}\n电话：{phone}",
    "老师好，我单位调查表已盖章扫描，见附件，谢谢！",
    "{name} 科普统计报表",
    "",
    "请查收。\n\n发自我的iPhone",
]
ODD_SHAPES = ["gb2312_label", "raw8bit", "forward", "link", "corrupt", "encrypted", "empty", "path_name",
              "jpg_pages"]   # each given to one direct sender at least


def pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def compose(w: World) -> None:
    """Append every mail of the world to `w.mails`."""
    c = _Composer(w)
    c.route()
    c.bundle_mails()
    c.direct_mails()
    c.own_copies_of_bundled()
    noise_mails(w, c.rng)
    u = c.rng.choice(w.units)
    hostile_mail(w, c.rng, u, *c.sender_of(u))


class _Composer:
    def __init__(self, w: World) -> None:
        self.w = w
        self.rng = random.Random(w.seed * 7919 + 5)
        self.pdf_cache: dict[int, tuple[bytes, list[dict]]] = {}

    # ---- helpers
    def doc_pdf(self, d: DocSpec) -> tuple[bytes, list[dict]]:
        if d.id not in self.pdf_cache:
            self.pdf_cache[d.id] = self.w.pdf_of([d])
        return self.pdf_cache[d.id]

    def doc_atts(self, d: DocSpec, force_pdf: bool = False) -> list[Attachment]:
        if d.fmt == "pdf" or force_pdf:
            data, truth = self.doc_pdf(d)
            return [Attachment(self.w.doc_filename(d) + ".pdf", data, truth=[{"documents": truth}])]
        return self.w.files_for(d, d.fmt)

    def send_time(self, docs: list[DocSpec]) -> datetime:
        rng = self.rng
        last = max(d.print_time for d in docs)
        t = last + timedelta(hours=rng.uniform(1, 60))
        if t.hour < 8 or t.hour > 21:
            t = t.replace(hour=rng.randint(8, 20))
        return min(t, datetime(2025, 7, 3, 18, 0)).replace(microsecond=0)

    def sender_of(self, u: Unit) -> tuple[str, str]:
        rng = self.rng
        if rng.random() < 0.55 or not u.email:
            return u.contact or N.person(rng), (u.email if u.email.endswith("tj.gov.cn") and rng.random() < 0.5
                                                else N.personal_email(rng))
        return u.contact, u.email

    def top_of(self, acc: str) -> str | None:
        seen = 0
        cur = self.routes.get(acc)
        while cur is not None and cur not in self.collectors_top and seen < 5:
            nxt = self.routes.get(cur)
            if nxt is None:
                return cur  # an intermediate collector (区教育局) that sends directly
            cur = nxt
            seen += 1
        return cur

    def mail_time_of(self, doc_id: int) -> datetime | None:
        ts = [m.date for m in self.w.mails for a in all_attachments(m) for t in a.truth
              for x in t.get("documents", []) if x.get("doc_id") == doc_id]
        return max(ts) if ts else None

    # ---- routing: who sends whose scan
    def route(self) -> None:
        w, rng = self.w, self.rng
        self.collectors_top = {u.account for u in w.units if u.type in ("区科技局", "市级部门")}
        self.routes: dict[str, str | None] = {}
        for u in w.units:
            r = None
            if u.type in ("区级部门", "区教育局") and rng.random() < 0.85 or u.type == "中小学" and rng.random() < 0.9 or u.type in ("市属事业单位",) and rng.random() < 0.8 or u.type == "高等学校" and rng.random() < 0.6 or u.type == "科普场馆" and rng.random() < 0.7:
                r = u.admin_account
            self.routes[u.account] = r
        self.first_docs: dict[str, DocSpec] = {acc: docs[0] for acc, docs in w.unit_docs.items()}
        self.later_docs: list[DocSpec] = [d for docs in w.unit_docs.values() for d in docs[1:]]
        self.bundles: dict[str, list[DocSpec]] = {}
        self.direct: list[DocSpec] = []
        bundles, direct = self.bundles, self.direct
        for acc, d in self.first_docs.items():
            top = self.top_of(acc)
            if top and top != acc:
                bundles.setdefault(top, []).append(d)
            elif acc in self.collectors_top or any(self.routes.get(x) == acc for x in self.first_docs):
                bundles.setdefault(acc, []).append(d)
            else:
                direct.append(d)
        self.dup_units = {acc for acc, ks in w.unit_faults.items() if "duplicate" in ks and acc in self.first_docs}
        n_special = 11
        while len([d for d in direct if d.unit.account not in self.dup_units]) < n_special:
            # small worlds: a few more units mail their own scan so every shape shows up
            top = max(bundles, key=lambda k: len(bundles[k]))
            movable = [d for d in bundles[top] if d.unit.account != top and d.unit.account not in self.dup_units]
            if len(bundles[top]) <= 4 or not movable:
                break
            bundles[top].remove(movable[-1])
            direct.append(movable[-1])
        for acc in self.dup_units:   # the very same file goes out twice: keep it one PDF
            self.first_docs[acc].fmt = "pdf"

    # ---- bundles (bureaus, departments, an education bureau sending directly)
    def bundle_mails(self) -> None:
        w, rng, dup_units = self.w, self.rng, self.dup_units
        forced_styles = ["zip", "merged", "pdfs"]   # every shape at least once, then by chance
        zips_made: list[str] = []
        for top, docs in sorted(self.bundles.items()):
            cu = w.by_acc[top]
            own = [d for d in docs if d.unit.account == top]
            others = [d for d in docs if d.unit.account != top]
            docs = own + sorted(others, key=lambda d: d.unit.account)
            mergeable_n = sum(1 for d in others if d.unit.account not in dup_units and d.fmt == "pdf")
            if forced_styles and len(others) > 2 and (forced_styles[0] != "merged" or mergeable_n > 2):
                style = forced_styles.pop(0)
            else:
                style = pick(rng, {"pdfs": 0.5, "zip": 0.3, "merged": 0.2})
            sname, saddr = self.sender_of(cu)
            who = cu.name
            atts: list[Attachment] = []
            shape = "bureau_pdfs"
            if style == "zip" and len(docs) > 2:
                gbk = rng.random() < 0.8 or not zips_made   # the first zip always has GBK names
                zips_made.append(top)
                shape = "zip_gbk" if gbk else "zip_utf8"
                atts = self._zips(docs, who, gbk)
            elif style == "merged" and mergeable_n > 2:
                shape = "merged_pdf"
                mergeable = [d for d in others if d.unit.account not in dup_units and d.fmt == "pdf"]
                single = [d for d in docs if d not in mergeable]
                for d in single:
                    atts += self.doc_atts(d, force_pdf=True)
                groups, i = [], 0
                while i < len(mergeable):
                    k = rng.randint(6, 15)
                    groups.append(mergeable[i:i + k])
                    i += k
                for gi, g in enumerate(groups, 1):
                    if not g:
                        continue
                    data, truth = w.pdf_of(g)
                    atts.append(Attachment(f"{who}所属单位调查表合并{gi}.pdf", data, truth=[{"documents": truth}]))
            else:
                for d in docs:
                    atts += self.doc_atts(d, force_pdf=d.fmt == "png")
            self._bundle_mails(docs, atts, cu, sname, saddr, shape)

    def _zips(self, docs: list[DocSpec], who: str, gbk: bool) -> list[Attachment]:
        folder = self.rng.choice(["", f"{who}科普统计/", "扫描件/"])
        chunks = [docs[i:i + 40] for i in range(0, len(docs), 40)]
        atts = []
        for ci, chunk in enumerate(chunks, 1):
            members, truth = [], []
            for d in chunk:
                data, dt = self.doc_pdf(d)
                mname = f"{folder}{d.unit.name}.pdf"
                members.append((mname, data))
                truth.append({"container": mname, "sha256": sha256(data), "size": len(data), "documents": dt})
            zname = f"{who}-科普统计调查表{'' if len(chunks) == 1 else f'（{ci}）'}.zip"
            atts.append(Attachment(zname, make_zip(members, gbk_names=gbk, when=max(d.print_time for d in chunk)),
                                   "application/zip", truth=truth))
            for t in truth:
                t["zip_utf8_flag"] = not gbk
        return atts

    def _bundle_mails(self, docs: list[DocSpec], atts: list[Attachment], cu: Unit, sname: str, saddr: str,
                      shape: str) -> None:
        """One bundle's attachments in mails of at most 25 attachments / 30 MB."""
        rng, who = self.rng, cu.name
        parts: list[list[Attachment]] = [[]]
        size = 0
        for a in atts:
            if parts[-1] and (len(parts[-1]) >= 25 or size + len(a.data) > 30_000_000):
                parts.append([])
                size = 0
            parts[-1].append(a)
            size += len(a.data)
        when = self.send_time(docs)
        for pi, part in enumerate(parts, 1):
            tag = "" if len(parts) == 1 else f"（{pi}/{len(parts)}）"
            subj = rng.choice([f"{who}-2024年度科普统计调查表（盖章扫描件）{tag}",
                               f"{who}科普统计调查表扫描件{tag}", f"报送：{who}2024年度科普统计{tag}"])
            body = rng.choice(BUREAU_BODIES).format(who=who, n=len(docs), person=sname, phone=cu.phone)
            self.w.mails.append(Mail(when + timedelta(minutes=3 * pi), sname, saddr, subj, body, "scan", part,
                                     subject_style=pick(rng, {"utf8": 0.6, "gbk": 0.3, "plain": 0.1}),
                                     body_charset=rng.choice(["utf-8", "gbk"])))
            self.w.mails[-1].shape = shape if not shape.startswith("zip") \
                or any(a.ctype == "application/zip" for a in part) else "bureau_pdfs"

    # ---- direct sends, with the odd shapes forced at least once
    def direct_mails(self) -> None:
        w, rng, dup_units, direct = self.w, self.rng, self.dup_units, self.direct
        rng.shuffle(direct)
        direct.sort(key=lambda d: d.unit.account in dup_units)   # odd shapes go to others first
        assign: dict[int, str] = {}
        for i, s in enumerate(ODD_SHAPES):
            if i < len(direct):
                assign[direct[i].id] = s
        for d in direct[len(ODD_SHAPES):]:
            r = rng.random()
            if d.unit.account in dup_units:
                continue
            if r < 0.03:
                assign[d.id] = rng.choice(["forward", "gb2312_label", "raw8bit"])
            elif r < 0.045:
                assign[d.id] = rng.choice(["link", "corrupt", "encrypted", "empty"])
        for d in direct + w.unknown_docs + sorted(self.later_docs, key=lambda x: x.id):
            self._direct_mail(d, assign.get(d.id, "plain"))

    def _direct_mail(self, d: DocSpec, how: str) -> None:
        w, rng, u = self.w, self.rng, d.unit
        sname, saddr = self.sender_of(u)
        if how == "jpg_pages" and d.fmt == "pdf":
            d.fmt = "jpg"
        elif how in ("corrupt", "encrypted", "empty", "link"):
            d.fmt = "pdf"
        atts = self.doc_atts(d)
        subj = rng.choice([f"{u.name}-2024年度科普统计调查表（盖章扫描件）", f"{u.name}科普统计调查表",
                           "2024年度科普统计调查表", f"{u.name}", "科普统计报表盖章版", ""])
        if d.superseded is False and any(x.superseded for x in w.unit_docs.get(u.account, [])) \
                and d in self.later_docs:
            subj = "（更正）" + (subj or f"{u.name}调查表")
        body = rng.choice(DIRECT_BODIES).format(name=u.name, person=sname, phone=u.phone)
        when = self.send_time([d])
        if d in self.later_docs:
            prev = w.unit_docs[u.account][w.unit_docs[u.account].index(d) - 1]
            t_prev = self.mail_time_of(prev.id) or self.send_time([prev])
            when = max(when, t_prev + timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 8)))
        m = Mail(when, sname, saddr, subj, body, "scan", atts,
                 shape="single_pdf" if len(atts) == 1 else "page_images")
        m.subject_style = pick(rng, {"utf8": 0.55, "gbk": 0.35, "plain": 0.1})
        m.body_charset = rng.choice(["utf-8", "gbk"])
        self._dress(m, how, d, atts, subj, when, sname, saddr)
        if how == "forward":
            fw_sender = w.by_acc.get(u.admin_account) if u.admin_account else None
            fname_ = (fw_sender.contact if fw_sender else N.person(rng))
            faddr = (fw_sender.email if fw_sender and rng.random() < 0.5 else N.personal_email(rng))
            outer = Mail(when + timedelta(hours=rng.randint(1, 30)), fname_, faddr, "转发：" + (m.subject or u.name),
                         "---------- 转发的邮件 ----------\n请查收下属单位调查表。", "forward", [], forwarded=m)
            outer.shape = "forward_rfc822"
            w.mails.append(outer)
        else:
            w.mails.append(m)
        if u.account in self.dup_units and d is self.first_docs.get(u.account) and how == "plain":
            # the same scan sent twice (the unit's resend of the same file)
            dupm = Mail(when + timedelta(hours=rng.randint(3, 72)), sname, saddr, subj or u.name, "再发一次。", "scan",
                        [Attachment(a.name, a.data, a.ctype, truth=[dict(t) for t in a.truth]) for a in atts])
            dupm.shape = "resend_same"
            w.mails.append(dupm)

    def _dress(self, m: Mail, how: str, d: DocSpec, atts: list[Attachment], subj: str, when: datetime,
               sname: str, saddr: str) -> None:
        """Give a direct mail its odd shape `how` (headers, names, a broken file, a link)."""
        rng, u = self.rng, d.unit
        if how == "gb2312_label":
            m.sender_name = N.person(rng, gbk_only=True)
            m.subject = f"{m.sender_name}-{u.name}科普统计调查表"
            m.subject_style = "gb2312_label"
            for a in atts:
                a.name = f"{m.sender_name}-{a.name}"
                a.name_style = "gb2312_label"
            m.shape = "gb2312_gbk_chars"
        elif how == "raw8bit":
            m.subject = m.subject or f"{u.name}调查表"
            m.subject_style = "raw8bit"
            for a in atts:
                a.name_style = "rfc2047_gbk"
            m.shape = "raw8bit_headers"
        elif how == "path_name":
            for a in atts:
                a.name = "..\\..\\桌面\\" + a.name if rng.random() < 0.5 else "C:/Users/admin/Desktop/" + a.name
            m.shape = "path_in_filename"
        elif how in ("corrupt", "encrypted", "empty") and atts[0].ctype == "application/pdf":
            a = atts[0]
            if how == "corrupt":
                a.data = a.data[: len(a.data) * 2 // 5] + bytes(rng.getrandbits(8) for _ in range(512))
            elif how == "encrypted":
                a.data = encrypt_pdf(a.data)
                m.body = (m.body + "\n打开密码：123456").strip()
            else:
                a.data = b""
            a.truth[0]["status"] = how
            m.shape = how
            if rng.random() < 0.7:   # noticed: resent properly a bit later
                again = Mail(when + timedelta(hours=rng.randint(2, 48)), sname, saddr, "重发：" + (subj or u.name),
                             "上次附件有问题，重新发送。", "scan", [Attachment(a.name, self.doc_pdf(d)[0],
                                                                          truth=[{"documents": self.doc_pdf(d)[1]}])])
                again.shape = "single_pdf"
                self.w.mails.append(again)
        elif how == "link":
            a = atts[0]
            prov = rng.choice(["qq", "163"])
            url = (f"https://mail.qq.com/cgi-bin/ftnExs_download?k={rng.getrandbits(128):032x}&t=exs_ftn_download"
                   if prov == "qq" else f"https://mail.163.com/large-attachment-download/index.html?p={rng.getrandbits(96):024x}")
            m.attachments = []
            m.body = (f"从{'QQ' if prov == 'qq' else '网易'}邮箱发来的超大附件\n\n{a.name} ({len(a.data) / 1e6:.1f}M, "
                      f"2025年07月{rng.randint(10, 28)}日 {rng.randint(8, 20)}:00 到期)\n进入下载页面：{url}\n")
            m.html = m.body.replace("\n", "<br>") + f'<a href="{url}">下载</a>'
            m.link_attachment = {"name": a.name, "url": url, "truth": a.truth}
            m.kind = "link"
            m.shape = "large_attachment_link"

    # ---- duplicates of bundled units: the unit also sends its own file directly
    def own_copies_of_bundled(self) -> None:
        rng = self.rng
        for acc in sorted(self.dup_units):
            d = self.first_docs[acc]
            if d in self.direct:
                continue
            data, dt = self.doc_pdf(d)
            u = d.unit
            sname, saddr = self.sender_of(u)
            m = Mail(self.send_time([d]) - timedelta(hours=rng.randint(1, 10)), sname, saddr, f"{u.name}调查表",
                     "", "scan", [Attachment(u.name + ".pdf", data, truth=[{"documents": dt}])])
            m.shape = "single_pdf"
            self.w.mails.append(m)
