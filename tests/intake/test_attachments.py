"""Every attachment shape and every bad input gets exactly one row with a clear status."""

from __future__ import annotations

import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import select

from intake import Limits, message_listing, run_intake
from intake.archive import resolve
from kptj.workspace import Workspace
from registry.models import Attachment, Message
from tests.intake.mailfactory import docx_bytes, image_bytes, mail, pdf_bytes, rar4_stored, raw, zip_bytes


def ingest(ws: Workspace, folder: Path, mails: list[EmailMessage | bytes], **kw) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    for i, m in enumerate(mails):
        (folder / f"{i:03d}.eml").write_bytes(m if isinstance(m, bytes) else raw(m))
    report = run_intake(ws, [str(folder)], **kw)
    assert report.ok, report
    with ws.session() as s:
        return message_listing(s)


def statuses(listing: list[dict]) -> list[list[tuple[str | None, str]]]:
    return [[(a["name"], a["status"]) for a in m["attachments"]] for m in listing]


def test_good_scans_are_documents_with_page_counts(ws: Workspace, tmp_path: Path) -> None:
    m = mail(attachments=[("表.pdf", pdf_bytes(3)), ("p1.jpg", image_bytes("JPEG")),
                          ("p2.png", image_bytes("PNG")), ("all.tif", image_bytes("TIFF", frames=4))])
    [msg] = ingest(ws, tmp_path / "in", [m])
    atts = msg["attachments"]
    assert [(a["detected_type"], a["status"], a["pages"]) for a in atts] == [
        ("pdf", "document", 3), ("jpeg", "document", 1), ("png", "document", 1), ("tiff", "document", 4)]
    assert msg["classification"] == "attachments" and msg["state"] == "done"
    for a in atts:  # later stages read the bytes from the archive
        assert resolve(ws.archive_dir, a["archive_path"]).stat().st_size == a["size"]


def test_type_comes_from_content_not_from_name_or_declared_type(ws: Workspace, tmp_path: Path) -> None:
    m = mail(attachments=[("scan.doc", pdf_bytes()), ("photo.pdf", image_bytes("PNG")), ("x.jpg", b"hello world\n")])
    [msg] = ingest(ws, tmp_path / "in", [m])
    assert [(a["detected_type"], a["status"]) for a in msg["attachments"]] == [
        ("pdf", "document"), ("png", "document"), ("text", "unsupported")]


def test_bad_files_get_their_own_status(ws: Workspace, tmp_path: Path) -> None:
    m = mail(attachments=[
        ("坏.pdf", b"%PDF-1.4\n1 0 obj <<>> garbage without xref"),
        ("密.pdf", pdf_bytes(password="secret")),
        ("空.pdf", b""),
        ("huge.png", image_bytes("PNG", size=(3000, 3000))),
        ("cut.jpg", image_bytes("JPEG")[:400]),
    ])
    [msg] = ingest(ws, tmp_path / "in", [m], limits=Limits(max_image_pixels=4_000_000))
    assert statuses([msg]) == [[("坏.pdf", "corrupt"), ("密.pdf", "encrypted"), ("空.pdf", "empty"),
                                ("huge.png", "too_large"), ("cut.jpg", "corrupt")]]
    assert msg["classification"] == "no_attachment"
    assert all(a["detail"] for a in msg["attachments"])  # every status says why


def test_gbk_zip_member_names_are_decoded_and_members_classified(ws: Workspace, tmp_path: Path) -> None:
    z = zip_bytes({"天津市科普统计/第1页.jpg": image_bytes("JPEG"), "说明.txt": "请查收".encode("gbk")},
                  gbk_names=True)
    [msg] = ingest(ws, tmp_path / "in", [mail(attachments=[("扫描件.zip", z)])])
    assert [(a["name"], a["status"], a["from"]) for a in msg["attachments"]] == [
        ("第1页.jpg", "document", "扫描件.zip"), ("说明.txt", "unsupported", "扫描件.zip")]


def test_zip_bomb_and_zip_slip_are_contained(ws: Workspace, tmp_path: Path) -> None:
    bomb = zip_bytes({"zeros.bin": b"\0" * 10_000_000})
    slip = zip_bytes({"../../etc/evil.jpg": image_bytes("JPEG"), "/abs/p.pdf": pdf_bytes()})
    many = zip_bytes({f"{i}.txt": b"x" for i in range(30)})
    [msg] = ingest(ws, tmp_path / "in", [mail(attachments=[("bomb.zip", bomb), ("slip.zip", slip),
                                                           ("many.zip", many)])],
                   limits=Limits(max_archive_members=20))
    atts = msg["attachments"]
    assert [(a["name"], a["status"]) for a in atts] == [
        ("bomb.zip", "too_large"), ("evil.jpg", "document"), ("p.pdf", "document"), ("many.zip", "too_large")]
    assert "压缩炸弹" in atts[0]["detail"] and "路径" in atts[1]["detail"]
    assert not (tmp_path / "etc").exists()
    assert all(".." not in str(p) for p in ws.archive_dir.rglob("*"))


def test_nested_mail_docx_and_inline_parts_are_opened(ws: Workspace, tmp_path: Path) -> None:
    inner = mail(subject="转发：河西区科协盖章件", attachments=[("河西.pdf", pdf_bytes(2))])
    outer = mail(subject="Fwd: 科普统计")
    outer.add_attachment(inner)  # message/rfc822
    outer.add_attachment(raw(mail(attachments=[("南开.pdf", pdf_bytes())])), maintype="application",
                         subtype="octet-stream", filename="原邮件.eml")
    outer.add_attachment(docx_bytes([image_bytes("JPEG"), image_bytes("PNG")]), maintype="application",
                         subtype="vnd.openxmlformats-officedocument.wordprocessingml.document", filename="扫描.docx")
    # a phone client: an image part with neither disposition nor name
    outer.add_attachment(image_bytes("JPEG"), maintype="image", subtype="jpeg")
    del outer.get_payload()[-1]["Content-Disposition"]
    [msg] = ingest(ws, tmp_path / "in", [outer])
    got = [(a["from"], a["detected_type"], a["status"]) for a in msg["attachments"]]
    assert got == [("转发：河西区科协盖章件", "pdf", "document"), ("原邮件.eml", "pdf", "document"),
                   ("扫描.docx", "jpeg", "document"), ("扫描.docx", "png", "document"), (None, "jpeg", "document")]


def test_7z_is_unpacked_with_unar(ws: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "第2页.jpg").write_bytes(image_bytes("JPEG"))
    subprocess.run([shutil.which("7z") or "7z", "a", "-bd", str(tmp_path / "s.7z"), str(src / "第2页.jpg")],
                   check=True, capture_output=True)
    [msg] = ingest(ws, tmp_path / "in", [mail(attachments=[("扫描.7z", (tmp_path / "s.7z").read_bytes())])])
    assert [(a["name"], a["status"], a["from"]) for a in msg["attachments"]] == [("第2页.jpg", "document", "扫描.7z")]


def test_password_protected_archives_are_encrypted(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "p.jpg").write_bytes(image_bytes("JPEG"))
    for kind in ("zip", "7z"):
        subprocess.run([shutil.which("7z") or "7z", "a", "-bd", f"-t{kind}", "-psecret", "-mhe=off" if kind == "7z" else "-mem=ZipCrypto",
                        str(tmp_path / f"locked.{kind}"), str(tmp_path / "p.jpg")], check=True, capture_output=True)
    m = mail(attachments=[("加密.zip", (tmp_path / "locked.zip").read_bytes()),
                          ("加密.7z", (tmp_path / "locked.7z").read_bytes())])
    [msg] = ingest(ws, tmp_path / "in", [m])
    assert [(a["status"], a["from"]) for a in msg["attachments"]] == [("encrypted", "加密.zip"), ("encrypted", None)]


def test_rar_with_gbk_names_is_unpacked_with_unar(ws: Workspace, tmp_path: Path) -> None:
    rar = rar4_stored({"天津科普第1页.jpg": image_bytes("JPEG"), "坏.pdf": b"%PDF-1.5 cut off"})
    [msg] = ingest(ws, tmp_path / "in", [mail(attachments=[("盖章件.rar", rar)])])
    assert sorted((a["name"], a["status"], a["from"]) for a in msg["attachments"]) == [
        ("坏.pdf", "corrupt", "盖章件.rar"), ("天津科普第1页.jpg", "document", "盖章件.rar")]


def test_same_scan_twice_is_a_duplicate_pointing_to_the_first(ws: Workspace, tmp_path: Path) -> None:
    scan = pdf_bytes(2)
    listing = ingest(ws, tmp_path / "in", [mail(attachments=[("a.pdf", scan)]),
                                           mail(sender="bureau@example.cn", attachments=[("转发 a.pdf", scan)])])
    first, second = listing[0]["attachments"][0], listing[1]["attachments"][0]
    assert (first["status"], second["status"]) == ("document", "duplicate")
    assert second["duplicate_of"] == first["id"] and listing[1]["classification"] == "attachments"


def test_messages_without_usable_attachment_are_classified(ws: Workspace, tmp_path: Path) -> None:
    auto = mail(subject="自动回复: 科普统计", headers={"Auto-Submitted": "auto-replied"})
    bounce = mail(subject="系统退信", sender="MAILER-DAEMON@163.com", attachments=[("orig.pdf", pdf_bytes())])
    plain = mail(subject="请问截止日期？")
    link = mail(body="从QQ邮箱发来的超大附件\n科普统计表.pdf (35.2M, 2024年12月20日 10:00 到期)\n"
                     "进入下载页面：https://wx.mail.qq.com/ftn/download?func=3&k=abcdef")
    listing = ingest(ws, tmp_path / "in", [auto, bounce, plain, link])
    assert [m["classification"] for m in listing] == ["auto_reply", "bounce", "no_attachment", "no_attachment"]
    assert listing[1]["attachments"] == []  # a bounce brings our own mail back: not a submission
    [lnk] = listing[3]["attachments"]
    assert lnk["status"] == "link" and lnk["name"] == "科普统计表.pdf" and lnk["url"].startswith("https://wx.mail.qq.com/ftn")


def test_each_local_file_is_archived_once_across_runs(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    ingest(ws, folder, [mail(attachments=[("a.pdf", pdf_bytes())])])
    (folder / "copy.eml").write_bytes((folder / "000.eml").read_bytes())
    run_intake(ws, [str(folder)])
    with ws.session() as s:
        assert len(s.scalars(select(Message)).all()) == 1
        assert len(s.scalars(select(Attachment)).all()) == 1
    assert len(list((ws.archive_dir / "mail").rglob("*.eml"))) == 1


def test_maildir_source_reads_new_and_cur(ws: Workspace, tmp_path: Path) -> None:
    md = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "new" / "1.host").write_bytes(raw(mail(attachments=[("a.pdf", pdf_bytes())])))
    (md / "cur" / "2.host:2,S").write_bytes(raw(mail(attachments=[("b.png", image_bytes("PNG"))])))
    run_intake(ws, [f"maildir:{md}"])
    with ws.session() as s:
        assert sorted(a.status for a in s.scalars(select(Attachment))) == ["document", "document"]
