"""统一社会信用代码 (Unified Social Credit Code) check per GB 32100-2015.

Dependency-free. 18 characters: registration dept (1), org type (1), admin division (6),
organisation code (9), check character (1). The alphabet omits I, O, S, V and Z.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Characters OCR confuses with ones outside the alphabet, mapped to their likely intent.
OCR_CONFUSIONS = {"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"}


def normalize(code: str) -> str:
    """Upper-case, strip spaces and convert full-width characters."""
    out = []
    for ch in code.strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        if not ch.isspace():
            out.append(ch.upper())
    return "".join(out)


def check_char(first17: str) -> str:
    """The check character for the first 17 characters (which must be in the alphabet)."""
    if len(first17) != 17:
        raise ValueError("need 17 characters")
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str | None:
    """Return None if valid, else a Chinese reason for people."""
    c = normalize(code)
    if len(c) != 18:
        return f"长度应为18位，实为{len(c)}位"
    bad = [ch for ch in c if ch not in _VALUE]
    if bad:
        return f"含非法字符 {''.join(sorted(set(bad)))}"
    expected = check_char(c[:17])
    if c[17] != expected:
        return f"校验码错误（应为 {expected}）"
    return None


def is_valid(code: str) -> bool:
    return validate(code) is None


def repair(code: str) -> str | None:
    """Best-effort repair of an OCR reading: map confusable letters, then accept only a valid code.

    If the check fails, try single-character substitutions among common OCR confusion pairs;
    return a repaired code only when exactly one candidate is valid (never guess between several).
    """
    c = "".join(OCR_CONFUSIONS.get(ch, ch) for ch in normalize(code))
    if len(c) != 18 or any(ch not in _VALUE for ch in c):
        return None
    if is_valid(c):
        return c
    pairs = {"0": "DQ", "D": "0", "Q": "0", "1": "7LT", "7": "12", "L": "1", "T": "1", "8": "B3",
             "B": "8", "3": "8", "5": "6", "6": "5G", "G": "6", "2": "7", "U": "W", "W": "U"}
    # The check character alone lets 1 in 31 wrong codes through, so a swap is only tried where
    # the organisation code's own check digit places the misread (inside it, or outside it), and
    # a letter in the division code ("11T2…" for a misread elsewhere) is no code at all.
    places = range(8, 17) if not org_code_valid(c) else [*range(8), 17]
    candidates = set()
    for i in places:
        for alt in pairs.get(c[i], ""):
            cand = c[:i] + alt + c[i + 1:]
            if is_valid(cand) and org_code_valid(cand) and cand[2:8].isdigit():
                candidates.add(cand)
    return candidates.pop() if len(candidates) == 1 else None


NEAR_SLIPS = 2  # characters two readings of one code may differ in: misreads the check characters let through


def near(a: str, b: str) -> bool:
    """Two codes of one length that differ in at most NEAR_SLIPS characters. Only together with
    an agreeing name is that one unit's code: two units of one name whose codes differ in two
    places do not occur."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= NEAR_SLIPS


def org_code_valid(code: str) -> bool:
    """Characters 9-17 are an organisation code (GB 11714) with a check digit of its own."""
    org = code[8:17]
    return len(org) == 9 and org[:8].isalnum() and _org_check(org[:8]) == org[8]


def make_code(reg_dept: str, org_type: str, division: str, org_code8: str) -> str:
    """Build a valid code from parts (used by the synthetic world and tests).

    org_code8 is the 8-character body of the organisation code; its own GB 11714 check digit is
    computed here so the 9-character organisation code is internally consistent as well.
    """
    body = reg_dept + org_type + division + org_code8 + _org_check(org_code8)
    return body + check_char(body)


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_check(org8: str) -> str:
    """GB 11714 check character of the organisation code (the 9th char of its body)."""
    def val(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - 55
    c = 11 - sum(val(ch) * w for ch, w in zip(org8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))
