"""Fuzzing attachment containers: ZIPs (nested, hostile names, GBK names), RAR, mails inside mails,
PDFs and page images, built by Hypothesis and then mangled byte-wise, each sent as one mail through
the whole intake stage (invariants: tests/fuzz/harness.py)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz.harness import IntakeHarness
from tests.fuzz.mutate import TOKENS
from tests.intake.mailfactory import image_bytes, mail, pdf_bytes, rar4_stored, raw, zip_bytes

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # hostile ZIPs repeat names

SMALL = {"jpeg": image_bytes("JPEG", (220, 300), seed=5), "png": image_bytes("PNG", (220, 300), seed=6),
         "pdf": pdf_bytes(1), "pdf2": pdf_bytes(3), "pdf_encrypted": pdf_bytes(1, password="pw"),
         "empty": b"", "text": "请查收".encode("gbk")}
NAMES = st.one_of(
    st.sampled_from(["第1页.jpg", "扫描件.pdf", "../../escape.pdf", "/abs/x.pdf", "a/b/../../../c.png", "CON",
                     "x" * 300 + ".pdf", "名单.xlsx", ".hidden.pdf", "a\\b\\c.jpg", "", "表.PDF", "表\u202e.pdf"]),
    # control characters cannot be written by the email package that builds the test mail (raw
    # mails with them are the MIME fuzzer's business)
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=40))


def png_header_bomb(width: int, height: int) -> bytes:
    """A PNG that declares a huge canvas in a few bytes (decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + \
        chunk(b"IEND", b"")


def _gbk_ok(name: str) -> bool:
    try:
        name.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def _zip(members: list[tuple[str, bytes]], gbk: bool) -> bytes:
    names = [n or "noname" for n, _ in members]
    if gbk and len(set(names)) == len(names) and all(map(_gbk_ok, names)):
        return zip_bytes(dict(zip(names, (d for _, d in members), strict=True)), gbk_names=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, (_, data) in zip(names, members, strict=True):
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


# Strategies draw a small description of the attachment ("spec"); render() builds its bytes in the
# test body (the email package draws random MIME boundaries, which Hypothesis wants out of strategies).
def leaf() -> st.SearchStrategy[tuple]:
    return st.one_of(st.tuples(st.just("file"), st.sampled_from(sorted(SMALL))),
                     st.tuples(st.just("bomb"), st.integers(1, 200_000), st.integers(1, 200_000)),
                     st.tuples(st.just("bytes"), st.binary(max_size=200)))


def container(depth: int = 0) -> st.SearchStrategy[tuple]:
    inner = leaf() if depth >= 3 else st.one_of(leaf(), st.deferred(lambda: container(depth + 1)))
    members = st.lists(st.tuples(NAMES, inner), min_size=0, max_size=4)
    return st.one_of(st.tuples(st.just("zip"), members, st.booleans()),
                     st.tuples(st.just("mail"), members),
                     st.tuples(st.just("rar"), st.lists(st.tuples(st.sampled_from(["第1页.jpg", "表.pdf", "说明.txt"]),
                                                                  leaf()), max_size=3)))


def render(spec: tuple) -> bytes:
    kind = spec[0]
    if kind == "file":
        return SMALL[spec[1]]
    if kind == "bomb":
        return png_header_bomb(spec[1], spec[2])
    if kind == "bytes":
        return spec[1]
    if kind == "zip":
        return _zip([(n, render(d)) for n, d in spec[1]], spec[2])
    if kind == "mail":
        return raw(mail(subject="转发", attachments=[(n or "x.bin", render(d)) for n, d in spec[1]]))
    return rar4_stored({n: render(d) for n, d in spec[1]})


def mangle(data: bytes, steps: list[tuple[float, str, int]]) -> bytes:
    out = bytearray(data)
    for where, op, arg in steps:
        if not out:
            break
        pos = int(where * (len(out) - 1))
        if op == "flip":
            out[pos] ^= 1 << (arg % 8)
        elif op == "truncate":
            del out[pos:]
        else:
            out[pos:pos] = TOKENS[arg % len(TOKENS)]
    return bytes(out)


MANGLE = st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["flip", "truncate", "token"]), st.integers(0, 255)),
                  max_size=3)


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> IntakeHarness:
    h = IntakeHarness(tmp_path_factory.mktemp("fuzz-containers"))
    yield h
    print(f"\nFUZZ containers: {h.inputs} inputs; outcomes {dict(h.outcomes)}")


ATTACHMENTS = st.lists(st.tuples(NAMES, st.one_of(container(), leaf())), min_size=1, max_size=3)


@given(ATTACHMENTS)
@settings(max_examples=max(10, settings.default.max_examples * 2 // 3))
def test_containers_end_with_a_status(harness: IntakeHarness, attachments: list[tuple]):
    atts = harness.feed(raw(mail(subject="科普统计表",
                                 attachments=[(n or "附件", render(d)) for n, d in attachments])))
    assert atts  # every attached file was recorded with a status


@given(ATTACHMENTS, MANGLE)
@settings(max_examples=max(10, settings.default.max_examples // 3))
def test_mangled_containers_end_with_a_status(harness: IntakeHarness, attachments: list[tuple], steps: list):
    harness.feed(raw(mail(subject="科普统计表",
                          attachments=[(n or "附件", mangle(render(d), steps)) for n, d in attachments])))
