"""The confidence ladder's order is what the decisions rely on; checked here, not by comments."""

from ocr import confidence as c


def test_the_ladder_rises_in_the_documented_order() -> None:
    values = [getattr(c, name) for name in c.LADDER]
    assert values == sorted(values), list(zip(c.LADDER, values, strict=True))


def test_what_may_never_decide_alone_stays_below_what_decides() -> None:
    # capped readings confirm nothing / claim nothing on their own
    assert c.UNTRUSTED < c.MATCH_MIN and c.UNLIKE < c.MATCH_MIN and c.DASH_BENEATH_SEAL < c.MATCH_MIN
    assert c.UNDER_SEAL_ALONE < c.DIFFERS_MIN and c.UNDER_SEAL_ALONE >= c.MATCH_DESPITE_DOUBT
    # a dash confirmed twice may claim a difference; one seen among marks may not
    assert c.DASH_AMONG_MARKS < c.DASH_DIFFERS_MIN <= c.CONFIRMED
    # black-and-white scans: enough to claim a plain difference, never a look-alike swap
    assert c.DIFFERS_MIN < c.BILEVEL_SURE < c.LOOKALIKE_SURE
