"""Grouping read pages into documents (ocr.split) from what was read on each page: the identities
below are the ones read on real pages (seed 79's black-and-white scan), fed to the pure grouping."""

from __future__ import annotations

from ocr.model import PageIdentity, PageReading
from ocr.split import group_pages

CODE = "1212010475456817X5"
NAME = "天津市南开区第二十二中学"
PRINTED = "2025-06-23 12:23"


def _page(i: int, name: str, page_no: int | None, total: int | None = 4, time: str | None = PRINTED,
          code: str = CODE) -> PageReading:
    return PageReading(source="scan.pdf", index=i, rotation=0, skew=0.0, method="ocr",
                       identity=PageIdentity(unit_name=name, uscc=code, page_no=page_no, page_total=total,
                                             print_time=time))


def test_a_form_whose_names_were_read_too_differently_is_one_document_by_its_code_and_pages() -> None:
    # as read on seed 79's 150 dpi black-and-white scan: page 1's number and page 3's print time
    # were not read, and three of the four names differ by two or more characters
    pages = [_page(0, "天津市南开区第：十二中学", None), _page(1, "关津市南开区第二十中学", 2),
             _page(2, "大津中南用区第上中学", 3, time=None), _page(3, NAME, 4)]
    docs = group_pages(pages)
    assert len(docs) == 1
    assert len(docs[0].pages) == 4 and docs[0].uscc == CODE and docs[0].page_total == 4
    assert docs[0].missing_pages == [1]   # by number; matching.evaluate weighs the unnumbered page


def test_a_venue_beside_its_owner_stays_apart_though_it_carries_the_owners_code() -> None:
    owner = [_page(i, NAME, i + 1, total=3) for i in range(2)]
    venue = [_page(2, NAME + "科技馆", 3, total=3, time="2025-06-24 09:10")]
    assert len(group_pages(owner + venue)) == 2
    venue_same_time = [_page(2, NAME + "科技馆", 3, total=3)]   # printed the same minute, page 3 only
    assert len(group_pages(owner + venue_same_time)) == 2       # its name holds the owner's: a word added


def test_two_prints_of_one_code_stay_apart() -> None:
    first = [_page(0, NAME, 1), _page(1, NAME, 2)]
    other_print = [_page(2, "大津中南用区第上中学", 3, time="2025-06-25 08:00")]
    assert len(group_pages(first + other_print)) == 2   # page 3 was printed later
    repeated = [_page(2, "大津中南用区第上中学", 2)]          # page 2 again: a copy, not the missing part
    assert len(group_pages(first + repeated)) == 2


def test_a_page_joins_a_form_when_its_name_agrees_with_one_of_the_names_read_there() -> None:
    # seed 127's black-and-white merged PDF: page 3's name read "标津…", page 4's "…张贵生…", each one
    # character from the true name and two from each other; page 4's code was not read
    name, code = "天津市南开区张贵庄职业中专", "121201047545403294"
    pages = [_page(0, name, 2, total=None, code=code), _page(1, "标津市南开区张贵庄职业中专", None, total=None,
                                                              time=None, code=None),
             _page(2, "天津市南开区张贵生职业中专", None, time=None, code=None)]
    [doc] = group_pages(pages)
    assert len(doc.pages) == 3 and doc.uscc == code
    other = _page(3, "天津市南开区黄河道职业中专", 1, code=None)    # another school: no name agrees
    assert len(group_pages([*pages, other])) == 2


def test_a_page_with_nothing_read_joins_the_form_it_completes_not_the_complete_one_before_it() -> None:
    complete = [_page(i, NAME, i + 1) for i in range(4)]               # pages 1-4 of 4, all read
    unreadable = PageReading(source="scan.pdf", index=4, rotation=0, skew=0.0, method="ocr", identity=PageIdentity())
    name, code = "天津市南开区张贵庄职业中专", "121201047545403294"
    next_form = [_page(5, name, 2, code=code), _page(6, name, 3, code=code), _page(7, name, 4, code=code)]
    docs = group_pages([*complete, unreadable, *next_form])
    assert [len(d.pages) for d in docs] == [4, 4]
    assert docs[1].uscc == code and unreadable in docs[1].pages
    # after a form that lacks its last page, and before one that starts at page 1, it stays with the first
    first = [_page(i, NAME, i + 1) for i in range(3)]
    whole_next = [_page(5 + k, name, k + 1, code=code) for k in range(4)]
    docs = group_pages([*first, unreadable, *whole_next])
    assert unreadable in docs[0].pages


def test_a_page_whose_name_and_code_were_misread_completes_the_print_run_beside_it() -> None:
    """Seed 277's black-and-white PDF: page 1 read "天津市航室科技行限公司" (two characters off) with a
    code that lost a digit (no valid code), pages 2 and 3 read right; all three print 16:40 and
    "共 3 页". One form, not an unknown unit beside a form missing its page 1."""
    name, code, time = "天津市航空科技有限公司", "91120000MAREC8UN5T", "2025-06-17 16:40"
    first = _page(0, "天津市航室科技行限公司", 1, total=3, time=time, code=None)
    rest = [_page(i, name, i + 1, total=3, time=time, code=code) for i in (1, 2)]
    [doc] = group_pages([first, *rest])
    assert doc.missing_pages == [] and doc.uscc == code
    # printed at another minute, or another unit's name, or its page 1 repeated: apart
    assert len(group_pages([_page(0, "天津市航室科技行限公司", 1, total=3, code=None), *rest])) == 2
    assert len(group_pages([_page(0, "天津市南开区第二十二中学", 1, total=3, time=time, code=None), *rest])) == 2
    assert len(group_pages([*rest, _page(3, "天津市航室科技行限公司", 2, total=3, time=time, code=None)])) == 2


def test_a_page_joins_the_form_whose_name_it_shares_not_an_alike_one_before_it() -> None:
    # seed 373's black-and-white merged PDF: page 4 of 第六十九中学's form, its code not read, has a
    # name 87 alike to 第十八中学's (ratio) on the form before; it belongs to its own
    other_code = "12120102401028792X"
    before = [_page(i, "天津市河东区第十八中学", i + 1, total=3, time="2025-06-27 16:17", code=other_code)
              for i in range(3)]
    own = [_page(3, "天津市河东区第六十九中学", 1), _page(4, "天津市河东区第六十九中学", 2, time=None),
           _page(5, "天漳市河东区第六十九中学", 3), _page(6, "天津市河东区第六十九中学", 4, code=None)]
    docs = group_pages(before + own)
    assert [len(d.pages) for d in docs] == [3, 4]
    assert docs[1].missing_pages == [] and docs[0].missing_pages == []
