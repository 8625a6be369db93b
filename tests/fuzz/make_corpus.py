"""Write the fuzzers' seed mails into tests/fuzz/corpus/ (kept in the repo; rerun to regenerate).

    python -m tests.fuzz.make_corpus

Small on purpose: the mutators change bytes, so structure matters more than size. Shapes the
collection mailbox sees (synth/mailbox.py, WORLD.md): a PDF scan, GBK and RFC 2231 file names,
a ZIP of page images with GBK names, a forwarded mail, a download link, an auto-reply, a bounce,
raw 8-bit headers, a mislabelled charset, a corrupt and an encrypted PDF, an empty file."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from tests.intake.mailfactory import image_bytes, mail, pdf_bytes, raw, zip_bytes

CORPUS = Path(__file__).parent / "corpus"


def seeds() -> dict[str, bytes]:
    small_jpg = image_bytes("JPEG", size=(240, 320), seed=1)
    small_png = image_bytes("PNG", size=(240, 320), seed=2)
    out = {
        "pdf_scan": raw(mail(subject="和平区第一中学-2024年度科普统计调查表（盖章扫描件）",
                             attachments=[("科普统计调查表.pdf", pdf_bytes(2))])),
        "zip_gbk_images": raw(mail(subject="科普统计表", attachments=[
            ("扫描件.zip", zip_bytes({"第1页.jpg": small_jpg, "第2页.png": small_png}, gbk_names=True))])),
        "broken_files": raw(mail(subject="表", attachments=[("坏.pdf", b"%PDF-1.7 broken"), ("空.txt", b""),
                                                            ("加密.pdf", pdf_bytes(1, password="x"))])),
        "image_pages": raw(mail(subject="scan", attachments=[("1.jpg", small_jpg), ("2.png", small_png)])),
    }
    inner = raw(mail(subject="原始邮件", attachments=[("表.pdf", pdf_bytes(1))]))
    fwd = EmailMessage()
    fwd["From"], fwd["To"], fwd["Subject"] = "jyj@tj.gov.cn", "collect@tj.gov.cn", "转发：科普统计表"
    fwd.set_content("请查收转发的报表")
    fwd.add_attachment(inner, maintype="message", subtype="rfc822", filename="fwd.eml")
    out["forwarded"] = bytes(fwd)
    out["link"] = (b"From: a@qq.com\r\nTo: c@tj.gov.cn\r\nSubject: =?gbk?B?s6y089C4vP4=?=\r\n"
                   b"Content-Type: text/plain; charset=gbk\r\n\r\n"
                   + "超大附件：科普统计表.zip 下载地址 https://mail.qq.com/cgi-bin/ftnExs_download?k=abc\r\n".encode("gbk"))
    out["auto_reply"] = (b"From: someone@163.com\r\nTo: c@tj.gov.cn\r\nSubject: Auto: out of office\r\n"
                         b"Auto-Submitted: auto-replied\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nI am away.\r\n")
    out["bounce"] = (b"From: MAILER-DAEMON@tj.gov.cn\r\nTo: c@tj.gov.cn\r\nSubject: Undelivered Mail\r\n"
                     b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n"
                     b"--b1\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b1\r\n"
                     b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--b1--\r\n")
    out["raw_8bit_rfc2231"] = (
        b"From: \xcd\xf5\xc3\xf4 <w@qq.com>\r\nTo: c@tj.gov.cn\r\nSubject: \xbf\xc6\xc6\xd5\xcd\xb3\xbc\xc6\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n--XX\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xc7\xeb\xb2\xe9\xca\xd5\r\n"
        b"--XX\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=gbk''%BF%C6%C6%D5.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").encodebytes(pdf_bytes(1)).replace(b"\n", b"\r\n") + b"--XX--\r\n")
    # found by the fuzzer: raw 8-bit bytes in Date / Message-ID made the mail end in `error`
    out["raw_8bit_date"] = out["pdf_scan"].replace(b"Date: Mon, 25 Nov 2024 10:00:00 +0800",
                                                   b"Date: Mon, 25 Nov 2024 10:00:00 +0800 \xd6\xd0")
    # found by the fuzzer: raw 8-bit bytes in a part's Content-Disposition stopped the MIME walker
    out["raw_8bit_disposition"] = out["pdf_scan"].replace(b"Content-Disposition: attachment;",
                                                          b"Content-Disposition: attachment\xb8\xbd;", 1)
    return out


def main() -> None:
    CORPUS.mkdir(exist_ok=True)
    for name, data in seeds().items():
        (CORPUS / f"{name}.eml").write_bytes(data)
    print(f"wrote {len(seeds())} seeds to {CORPUS}")


if __name__ == "__main__":
    main()
