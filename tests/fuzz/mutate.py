"""Byte-level mutations of seed inputs (Hypothesis strategies), the way a mail gets mangled on its way:
bit flips, cut and repeated slices, truncation, and tokens MIME parsers trip over."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

CORPUS = Path(__file__).parent / "corpus"
TOKENS = [b"\r\n\r\n", b"\n", b"--", b"boundary=\"", b"Content-Type: multipart/mixed; boundary=x\r\n",
          b"Content-Transfer-Encoding: base64\r\n", b"Content-Transfer-Encoding: quoted-printable\r\n",
          b"=?gbk?B?", b"=?utf-8?Q?=E4=", b"?=", b"filename*=utf-8''%E5%", b"filename=\"../../etc/x.pdf\"",
          b"charset=\"\xff\"", b"Content-Type: message/rfc822\r\n\r\n", b"\x00", b"\xff\xfe", b"=\r\n",
          b"%PDF-1.7\n", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"begin 644 x.pdf\n"]


def corpus() -> list[bytes]:
    return [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes], max_steps: int = 6) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, max_steps))):
        if not data:
            data += draw(st.sampled_from(TOKENS))
            continue
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "delete", "insert", "token", "repeat", "truncate"]))
        if op == "flip":
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 64))]
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=32))
        elif op == "token":
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == "repeat":
            data[pos:pos] = data[pos:pos + draw(st.integers(1, 256))] * draw(st.integers(1, 4))
        else:
            del data[pos:]
    return bytes(data)
