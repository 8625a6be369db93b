"""Chinese headers as they really arrive, including the cases imap-tools gets silently wrong."""

from __future__ import annotations

import base64

from intake.decoding import decode_header_bytes, sanitize_filename, unsafe_name_reason
from intake.extract import extract
from intake.limits import Limits
from tests.intake.mailfactory import image_bytes

GBK_ONLY = "天津市滨海新区科学技术协会（镕）"  # 镕 is in GBK but not in GB2312


def b64_word(text: str, codec: str, label: str) -> str:
    return f"=?{label}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def test_gb2312_label_holding_gbk_only_characters_loses_nothing() -> None:
    warnings: list[str] = []
    assert decode_header_bytes(b64_word(GBK_ONLY, "gbk", "gb2312").encode(), warnings) == GBK_ONLY
    assert warnings == []


def test_gbk_split_across_encoded_words_is_joined_before_decoding() -> None:
    data = "科普统计调查表".encode("gbk")
    words = [f"=?GBK?B?{base64.b64encode(data[:5]).decode()}?=", f"=?GBK?B?{base64.b64encode(data[5:]).decode()}?="]
    assert decode_header_bytes(" \r\n ".join(words).encode(), []) == "科普统计调查表"


def test_raw_8bit_headers_try_utf8_then_gb18030_and_say_so() -> None:
    warnings: list[str] = []
    assert decode_header_bytes("河西区 科普".encode(), warnings) == "河西区 科普" and warnings == []
    assert decode_header_bytes("河西区 科普".encode("gbk"), warnings) == "河西区 科普"
    assert any("GB18030" in w for w in warnings)


def test_undecodable_bytes_are_flagged_with_replacement_character() -> None:
    warnings: list[str] = []
    text = decode_header_bytes(b"=?utf-8?B?" + base64.b64encode(b"\xff\xfe\xfa") + b"?=", warnings)
    assert "\ufffd" in text and any("U+FFFD" in w for w in warnings)


def test_rfc2231_and_rfc2047_filenames_and_raw_8bit_subject_in_one_mail() -> None:
    img = base64.encodebytes(image_bytes("PNG")).decode()
    raw = b"From: " + b64_word("和平区科技局", "gbk", "gbk").encode() + b" <hp@example.cn>\r\n"
    raw += b"Subject: " + "转发：科普统计表（盖章）".encode("gbk") + b"\r\n"  # raw 8-bit, no label
    raw += (
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        "Content-Type: text/plain; charset=gbk\r\n\r\nhi\r\n--XX\r\n"
        "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename*0*=gbk''%CC%EC%BD%F2; filename*1*=%B5%DA1%D2%B3.png\r\n\r\n"
        + img + "--XX\r\n"
        "Content-Type: image/png; name=\"" + b64_word("第2页 镕.png", "gbk", "gb2312") + "\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + img + "--XX--\r\n"
    ).encode()
    parsed = extract(raw, Limits())
    from intake.decoding import header_text, sender_text
    warnings: list[str] = []
    assert header_text(parsed.msg, "Subject", warnings) == "转发：科普统计表（盖章）"
    assert sender_text(parsed.msg, warnings) == "和平区科技局 <hp@example.cn>"
    assert [f.name for f in parsed.found] == ["天津第1页.png", "第2页 镕.png"]


def test_filenames_are_sanitised() -> None:
    assert sanitize_filename("../../etc/passwd") == "passwd"
    assert sanitize_filename("C:\\Users\\a\\扫描件.pdf") == "扫描件.pdf"
    assert sanitize_filename("a\x00b\x1f.pdf") == "a_b_.pdf"
    long = sanitize_filename("很" * 300 + ".pdf")
    assert long is not None and long.endswith(".pdf") and len(long) <= 180
    assert unsafe_name_reason("../x.pdf") and unsafe_name_reason("ok.pdf") is None
