"""Small helpers for Chinese text shared by several stages."""

from __future__ import annotations

_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_DIGITS = "零一二三四五六七八九"

# Ranges for a regex character class ([{CJK_CHARS}]): CJK ideographs, CJK punctuation and full-width
# forms, the characters between which a space or line break is layout, not a word gap.
CJK_CHARS = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"


def fold_width(text: str) -> str:
    """Full-width ASCII (（ ） ． １ Ａ …) to half width and the ideographic space to a space."""
    return text.translate(_WIDTH)


def chinese_number(n: int) -> str:
    """How documents write a count or list number: 1 -> 一, 15 -> 十五, 105 -> 一百零五, 120 -> 一百二十."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            tail = ""
        elif rest < 10:
            tail = "零" + _DIGITS[rest]
        else:
            tail = ("一" if rest < 20 else "") + chinese_number(rest)
        return _DIGITS[hundreds] + "百" + tail
    return str(n)


def chinese_to_int(numeral: str) -> int:
    """一 -> 1, 十 -> 10, 十五 -> 15, 二十 -> 20, 两 -> 2 (small counts; 0 when not a numeral)."""
    digits = {c: i for i, c in enumerate(_DIGITS)} | {"两": 2, "〇": 0}
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (digits.get(tens, 1) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)
    return digits.get(numeral, 0)


_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_LARGE = {"万": 10_000, "亿": 100_000_000}


def chinese_numeral_value(numeral: str) -> float | None:
    """一 -> 1, 十五 -> 15, 两百 -> 200, 一万二千 -> 12000, 三点五 -> 3.5, 二〇二五 -> 2025; None if not a numeral."""
    numeral = numeral.strip()
    if not numeral:
        return None
    whole, _, frac = numeral.partition("点")
    if frac:
        if not all(c in _CN_DIGITS for c in frac):
            return None
        base = chinese_numeral_value(whole) if whole else 0
        return None if base is None else base + float("0." + "".join(str(_CN_DIGITS[c]) for c in frac))
    if all(c in _CN_DIGITS for c in whole) and len(whole) > 1:
        return float("".join(str(_CN_DIGITS[c]) for c in whole))  # digit by digit: 二〇二五
    total, section, digit = 0, 0, None
    for char in whole:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_SMALL:
            section += (1 if digit is None else digit) * _CN_SMALL[char]
            digit = None
        elif char in _CN_LARGE:
            section += digit or 0
            total = (
                (total + (section or 1)) * _CN_LARGE[char]
                if char == "亿"
                else total + (section or 1) * _CN_LARGE[char]
            )
            section, digit = 0, None
        else:
            return None
    return float(total + section + (digit or 0))
