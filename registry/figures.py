"""Parsing and canonical form of figures. "No value" (empty or "-") is None, never 0."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

NO_VALUE_MARKS = {"", "-", "—", "－", "–", "/"}


class FigureError(ValueError):
    pass


def parse_figure(text: str | None, decimals: int) -> str | None:
    """Return the canonical decimal string for a cell, None for no value; raise FigureError if bad."""
    if text is None:
        return None
    t = text.strip().replace(",", "").replace("，", "").replace(" ", "")
    if t in NO_VALUE_MARKS:
        return None
    try:
        d = Decimal(t)
    except InvalidOperation as e:
        raise FigureError("不是数字") from e
    if not d.is_finite():
        raise FigureError("不是数字")
    if d < 0:
        raise FigureError("不能为负数")
    quantum = Decimal(1).scaleb(-decimals)
    q = d.quantize(quantum)
    if q != d:
        raise FigureError(f"小数位数超过 {decimals} 位" if decimals else "应为整数")
    return canonical(q, decimals)


def canonical(value: Decimal, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def to_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)
