"""Who is responsible for a ledger row: 责任单位/牵头单位 notes in the text (（市城管局牵头，各区
政府负责）, 〔责任单位：…〕) and the task table's 责任单位 column, split into units."""

from __future__ import annotations

import re

from index import target_rules as rules
from index.target_values import clean
from policyqa.records import Document, Section


def split_units(text: str) -> tuple[str, ...]:
    """市城管局、市建委，各区（园区） -> (市城管局, 市建委, 各区（园区）): split at top-level 、，；."""
    out, depth, cur = [], 0, []
    for ch in text:
        depth += ch in "（(〔[【"
        depth -= ch in "）)〕]】"
        if depth <= 0 and ch in "、，,；;":  # not at 和: 住房和城乡建设局 is one unit
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    out = [rules.RESPONSIBLE_LABEL.sub("", u) for u in out]  # …；配合单位：区司法局
    cleaned = (re.sub(r"(?:牵头|负责|配合|共同)$", "", clean(u.strip("。〕】"))) for u in out)
    return tuple(u for u in dict.fromkeys(cleaned) if u)


def _labelled_units(text: str, a: int, b: int) -> list[tuple[int, tuple[str, ...], bool]]:
    """(offset, units, labelled) of every 责任单位：… note (read to its closing bracket or line end)
    and every bracketed （…牵头，…负责） in text[a:b]."""
    out = []
    for m in rules.RESPONSIBLE_LABEL.finditer(text, a, b):
        depth, k = 0, m.end()
        while k < b and text[k] not in "\r\n":
            depth += text[k] in "（(〔[【"
            depth -= text[k] in "）)〕]】"
            if depth < 0 or text[k] == "。":
                break
            k += 1
        out.append((m.start(), split_units(text[m.end() : k]), True))
    for m in rules.RESPONSIBLE_INLINE.finditer(text, a, b):
        if not rules.RESPONSIBLE_LABEL.search(m.group(1)):
            out.append((m.start(), split_units(m.group(1)), False))
    return sorted(out)


def normalised_task(s: str) -> str:
    return re.sub(r"[\s“”\"。：:]", "", rules.ITEM_MARKER.sub("", s))


class Responsible:
    """Who is responsible for a sentence: its own note, the nearest section holding one note, or
    the task table row naming one of its headings."""

    def __init__(self, document: Document, table_units: dict[str, tuple[str, ...]]):
        self.text = document.text
        self.table_units = table_units

    def of(self, start: int, end: int, chain: list[Section]) -> tuple[str, ...]:
        # A note in the sentence's paragraph (…45公里以上。（市容局牵头）) is the paragraph's.
        line_end = re.compile(r"[\r\n]").search(self.text, end)
        own = _labelled_units(
            self.text, self.text.rfind("\n", 0, start) + 1, line_end.start() if line_end else len(self.text)
        )
        if own:
            return next((units for at, units, _ in own if at >= start), own[-1][1])
        # A labelled note (〔责任单位：…〕) covers the nearest section that holds no other.
        for section in reversed(chain):
            notes = _labelled_units(self.text, section.start, section.end)
            if len(notes) == 1 and notes[0][2]:
                return notes[0][1]
            if notes:  # the nearest notes are other sentences' own
                break
        for section in reversed(chain):
            units = self.table_units.get(normalised_task(section.heading))
            if units:
                return units
        return ()


def lead_units(sentence: str) -> tuple[tuple[str, ...], int, int]:
    """Units a sentence names as doing it at its start, unbracketed (市住房和城乡建设局牵头制定…,
    由市城管局牵头…, 市交通局负责…), with the span of those words (to keep them out of the subject);
    ((), 0, 0) if none."""
    marker = rules.ITEM_MARKER.match(sentence)
    at = marker.end() if marker else len(sentence) - len(sentence.lstrip())
    m = rules.LEAD_UNITS.match(sentence, at) or rules.LEAD_PLACES.match(sentence, at)
    if not m:
        return (), 0, 0
    # 市城管局和市建委牵头: 和 between two units joins them (住房和城乡建设局 is one unit)
    units = re.sub(r"(?<=[局委办府团司心门])和(?=[市区县省各])", "、", m.group("units"))
    return split_units(units), at, m.end()
