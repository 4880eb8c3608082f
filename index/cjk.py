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
