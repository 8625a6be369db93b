"""The demo's mail sample: pages within the budget, every mail without form pages kept, order kept."""

from __future__ import annotations

from synth.demo_sample import message_pages, pick


def _msg(name: str, *docs: tuple[str, int]) -> dict:
    return {"file": f"mail/{name}.eml", "attachments": [
        {"expected_status": status, "documents": [{"pages": list(range(1, n + 1))}]} for status, n in docs]}


TRUTH = {"messages": [_msg("1", ("document", 4)), _msg("2"), _msg("3", ("document", 4), ("document", 3)),
                      _msg("4", ("corrupt", 3)), _msg("5", ("document", 3)), _msg("6", ("document", 1))]}


def test_pages_count_only_attachments_that_are_read() -> None:
    assert [message_pages(m) for m in TRUTH["messages"]] == [4, 0, 7, 0, 3, 1]


def test_the_sample_fills_the_budget_in_order_and_keeps_cheap_mail() -> None:
    assert [m["file"] for m in pick(TRUTH, 8)] == ["mail/1.eml", "mail/2.eml", "mail/4.eml", "mail/5.eml",
                                                   "mail/6.eml"]
    assert len(pick(TRUTH, 0)) == len(TRUTH["messages"])
    assert [m["file"] for m in pick(TRUTH, 2)] == ["mail/2.eml", "mail/4.eml", "mail/6.eml"]
