"""Figures in one sentence and what each measures: the value rules of `index/target_rules.py`
applied, noise dropped (3个环节, slogans, figures already reached), and each figure's scope and
subject read from the words around it."""

from __future__ import annotations

import re
from typing import NamedTuple

from index import target_rules as rules
from index.cjk import fold_width
from index.lines import WHITESPACE

CLAUSE_END = re.compile(r"[，,；;：:。！？!?\r\n]")


class Found(NamedTuple):
    """A figure or qualitative goal inside a sentence (offsets relative to the sentence)."""

    start: int
    end: int
    value: str
    number: float | None
    unit: str
    qualifier: str
    family: str  # range | percent | count | qualitative


# ---------------------------------------------------------------------------------------------
# figures in a sentence


def find_values(sentence: str) -> list[Found]:
    """The figures and qualitative goals of a sentence, non-overlapping, in order."""
    folded = fold_width(sentence)
    out: list[Found] = []
    for rule in rules.VALUE_RULES:
        for m in rule.pattern.finditer(folded):
            a, b = m.span()
            if any(f.start < b and a < f.end for f in out):
                continue
            number_text, unit = m.group("n"), m.group("unit") or ("%" if rule.name == "percent_words" else "")
            if rule.kind != "qualitative" and not _real_number(number_text):
                continue
            suffix = m.groupdict().get("suffix") or m.groupdict().get("approx") or ""
            prefix = _prefix_qualifier(folded, a)
            if rules.is_small_chinese_count(number_text, unit, bool(prefix or suffix)):
                continue
            if unit == "年" and (
                not (
                    prefix
                    or suffix in ("内", "以内", "以上", "以下")
                    or rules.YEAR_CONTEXT.search(folded[:a])
                )
                or "\u4e00" <= folded[b : b + 1] <= "\u9fff"  # 对3年内品质提升工作…: a period named
            ):
                continue
            if rule.kind == "qualitative" and _quoted_slogan(folded, a, b):
                continue
            number = rules.number_of(number_text) if number_text else None
            if rule.kind == "qualitative":
                qualifier = folded[a:b].strip('“"')
            elif rule.kind == "range":
                qualifier = prefix
            else:
                qualifier = suffix or prefix
            if "力争" in folded[max(0, a - 30) : a] and qualifier != "力争":
                qualifier = f"力争{qualifier}" if qualifier not in ("达到", "达") else "力争"
            value = sentence[a:b].strip('“"')
            out.append(Found(a, b, value, number, unit, qualifier, rule.kind))
    return sorted(out)


def _real_number(text: str) -> bool:
    """Digits, or a Chinese numeral with a digit in it (万户 in 千家万户 is no number)."""
    return bool(text) and bool(re.search(r"[\d一二两三四五六七八九十]", text))


def _prefix_qualifier(folded: str, at: int) -> str:
    """The qualifier right before a figure, or one earlier in its clause (不得少于播放总时长的百分之二十)."""
    before = folded[max(0, at - 4) : at]
    found = next((q for q in rules.PREFIX_QUALIFIERS if before.endswith(q)), "")
    if not found:
        starts = [m.end() for m in CLAUSE_END.finditer(folded, 0, at)]
        inner = list(rules.INNER_QUALIFIER.finditer(folded, starts[-1] if starts else 0, at))
        found = inner[-1].group(0) if inner else ""
    return found


def _quoted_slogan(folded: str, a: int, b: int) -> bool:
    """全覆盖 inside a quoted slogan of several parts (“横到边、纵到底、全覆盖、无缝隙”)."""
    left = folded.rfind("“", 0, a)
    return (
        left >= 0 and folded.find("”", b) >= 0 and folded.rfind("”", 0, a) < left and "、" in folded[left:b]
    )


# ---------------------------------------------------------------------------------------------
# subjects


def clean(s: str) -> str:
    s = s.strip(WHITESPACE + "、，,：:和及与或等").lstrip("）)”").rstrip("（(“")
    for left, right in ("“”", "（）", "()"):
        if s.count(left) != s.count(right):
            s = s.strip(left + right)
    return s


def _scope_and_subject(words: str) -> tuple[str, str]:
    """Split the words before a figure into where (主城区) and what (主干道机扫率)."""
    words = clean(rules.LEADING_VERBS.sub("", clean(rules.ITEM_MARKER.sub("", words))))
    words = re.sub(r"由[^，。；]*$", "", words)  # 由18项扩大至25项: the words before 由 name the thing
    inner = rules.INNER_QUALIFIER.search(words)
    if inner and inner.start() >= 2:
        words = words[: inner.start()]
    scope = ""
    m = rules.PLACE_LIST.match(words) or rules.SCOPE_RE.match(words)
    if m:
        scope, words = m.group(0), words[m.end() :]
    else:
        m = next(
            (
                x
                for x in rules.SCOPE_RE.finditer(words)
                if x.end() == len(rules.TRAILING_VERBS.sub("", words))
            ),
            None,
        )
        if m:
            scope, words = m.group(0), words[: m.start()] + words[m.end() :]
    words = clean(rules.TRAILING_VERBS.sub("", clean(rules.LEADING_VERBS.sub("", words))))
    if not scope and rules.PLACE_NAME.fullmatch(words):  # 其中临波区35条: a place, its thing said before
        return words, ""
    if len(words) > 16 and "的" in words[:-2]:  # 集成洗车…等服务的多功能公共停车场 -> 多功能公共停车场
        words = words.rsplit("的", 1)[1]
    if len(words) > 24:  # …开展警示教育和现场检查、每季度安全生产暗访: the last listed part
        parts = [p for p in re.split(r"[、和]", words) if len(p) >= 4]
        words = parts[-1] if parts else words
    return scope.removesuffix("范围内").removesuffix("范围"), words[-24:]


def _subject_after(folded: str, sentence: str, end: int, stop: int) -> str:
    """The noun a count is written before (建成300公里以上绿道 -> 绿道), up to `stop`; for a time
    limit, what is to be done in it (六个月内按照本条例规定进行整改 -> 进行整改)."""
    rule = rules.RULE_REFERENCE.match(folded, end)
    if rule:
        end = rule.end()
    lead = next((q for q in rules.PREFIX_QUALIFIERS if folded.startswith(q, end)), "")
    end += len(lead)  # 每15日至少进行一次维护保养
    m = rules.AFTER_SUBJECT_STOP.search(folded, end + 1, stop)
    words = clean(sentence[end : m.start() if m else stop])
    return words[:24]


def blanked(sentence: str, spans: list[tuple[int, int]]) -> str:
    """The sentence with the words of `spans` (its deadlines, the units doing it) blanked out in
    place, so that no subject holds them (2026年底前消除30处 -> 消除) and every offset stays."""
    chars = list(sentence)
    for a, b in spans:
        chars[a:b] = _BLANK * (b - a)
    return "".join(chars)


_BLANK = "\u3000"  # whitespace: clean() strips it at a subject's ends


def thing_of(subject: str) -> str:
    """The thing a subject counts: 消除易涝积水点 -> 易涝积水点, 易涝积水点实行“一点一策”整治 -> 易涝积水点."""
    s = re.sub(rf"^(?:全部|全面)?(?:{rules.KEPT_VERBS})", "", subject)
    m = rules.THING_END.search(s)
    return s[: m.start()] if m and m.start() >= 2 else s


def _standard_subject(clause: str, after: str) -> tuple[str, str] | None:
    """按照城区步行10分钟可达的标准布局公厕: the thing is what the standard is for (布局公厕), the
    figure's own words say which standard (步行可达), 城区 is its scope; None when the words are
    no such standard."""
    m = rules.STANDARD_AFTER.match(after)
    if not m or not rules.BY_STANDARD.match(clause):
        return None
    scope, words = _scope_and_subject(rules.BY_STANDARD.sub("", clause))
    return scope, f"{m.group(2)}（{words}{m.group(1)}）"


def subjects(
    sentence: str, found: list[Found], blank: list[tuple[int, int]] | None = None
) -> list[tuple[str, str]]:
    """(scope, subject) of each figure of the sentence, read with the spans of `blank` left out; a
    figure whose own words name no thing (郊园区达到98%) shares the previous figure's subject."""
    sentence = blanked(sentence, blank or [])
    folded = fold_width(sentence)
    out: list[tuple[str, str]] = []
    subset: list[bool] = []  # whether each figure is a part of the one before (其中…)
    for k, f in enumerate(found):
        clause_start = max(
            [m.end() for m in CLAUSE_END.finditer(folded, 0, f.start)] + [found[k - 1].end if k else 0]
        )
        clause_end = CLAUSE_END.search(folded, f.end)
        stop = clause_end.start() if clause_end else len(folded)
        if k + 1 < len(found):
            stop = min(stop, found[k + 1].start)
        scope, subject = _scope_and_subject(sentence[clause_start : f.start])
        if not subject and folded[clause_start - 1 : clause_start] in "：:" and clause_start > 1:
            # 到办理现场次数：0次: the label before the colon names the figure
            label = [m.end() for m in CLAUSE_END.finditer(folded, 0, clause_start - 1)]
            subject = clean(rules.ITEM_MARKER.sub("", sentence[label[-1] if label else 0 : clause_start - 1]))
            subject = subject.lstrip("-*• ")[-24:]
        if folded[f.start - 1 : f.start] in "×*":  # 得分＝月度考核平均分×70%＋…: the weighted term
            term = re.split(r"[＝=＋+]", folded[clause_start : f.start - 1])[-1]
            scope, subject = "", clean(sentence[f.start - 1 - len(term) : f.start - 1])
        nxt = folded[f.end : f.end + 1]
        if (
            f.family in ("count", "percent")
            and nxt
            and ("\u4e00" <= nxt <= "\u9fff" or nxt in '“"')
            and nxt not in "的和及或与等"
        ):
            after = _subject_after(folded, sentence, f.end, stop)
            # 周边五十米范围内, 6处于…前完成, 80分以上不满90分, 24小时且不影响…: no noun after
            if after.startswith(("范围", "于", "在", "不满", "不足", "且", "并", "或")):
                after = ""
            standard = _standard_subject(sentence[clause_start : f.start], after)
            # 5分钟可达的公厕: a dangling modifier (可达的) is not the thing
            after = re.sub(r"^[\u4e00-\u9fff]{1,2}的(?=[\u4e00-\u9fff]{2})", "", after)
            if standard:
                scope, subject = standard
            elif after and not rules.ABSTRACT_NOUNS.match(after):
                # 全面消除46处易涝积水点: the verb says what is done to the thing counted
                verb = rules.KEPT_VERB.search(folded[clause_start : f.start])
                subject = (verb.group(1) if verb else "") + after
            elif after:
                subject = ""
        elif nxt == "的" and f.family == "percent":
            # 将70%的降雨就地消纳, 建成区32%以上的面积达到…要求: the share is of what follows
            subject = (subject + clean(sentence[f.end + 1 : stop]))[:30] or subject
        if f.family == "qualitative":
            subject = subject.rsplit("和", 1)[-1]
            if "\u4e00" <= nxt <= "\u9fff":  # 属地全覆盖检查: what is done to full coverage
                subject += clean(folded[f.end : stop][:6])
        if rules.COMPARED.match(subject) and out:  # 达到85吨，较上年增长12%
            subject = out[-1][1] + subject
        if subject in ("剩余", "其余", "其中") and out:  # …完成20处，剩余6处于…: the same thing
            subject = out[-1][1]
        if rules.BARE_VERB.match(subject) and out:  # 新改建公厕36座，其中新建16座
            subject += re.sub(r"^(?:新改建|新建|改建|新增|改造)", "", out[0][1])
        elif rules.VERB_ONLY.match(subject) and out:  # 对46处积水点…，2026年底前消除30处
            subject += thing_of(out[0][1])
        if rules.PER_CASE.match(subject) and clause_start > 0:  # …推广的，每项加2分
            earlier = [m.end() for m in CLAUSE_END.finditer(folded, 0, clause_start - 1)]
            subject = clean(
                rules.ITEM_MARKER.sub("", sentence[earlier[-1] if earlier else 0 : clause_start])
            )[-24:]
        if len(subject) < 2 and out:
            # …投放点260个，其中…精品投放点不少于80个，6月底前完成120个: past a 其中 part, the
            # figure is of the whole again
            k_from = -2 if len(out) >= 2 and subset[-1] else -1
            scope = scope or out[k_from][0]
            subject = out[k_from][1]
        subset.append(rules.SUBSET.match(clean(sentence[clause_start : f.start])) is not None)
        out.append((scope, subject.replace(_BLANK, "").lstrip("的")))
    return out


def task_subject(sentence: str, d: rules.Deadline, deadlines: list[rules.Deadline], thing: str = "") -> str:
    """What is due: the deadline's clause without the deadline, with the clause before it when that
    alone says little (制定…预案，6月底前报市政府审批) and holds no figure or deadline of its own; a
    clause that is only a verb (2027年底前全部消除) takes the thing the sentence's figures count.
    `sentence` has its other deadlines and its leading units blanked (`blanked`)."""
    folded = fold_width(sentence)
    starts = [m.end() for m in CLAUSE_END.finditer(folded, 0, d.start)]
    a = starts[-1] if starts else 0
    end = CLAUSE_END.search(folded, d.end)
    b = end.start() if end else len(sentence)
    head = rules.ITEM_MARKER.sub("", sentence[a : d.start].strip(WHITESPACE)).rstrip("于在")
    words = clean(head + sentence[d.end : b]).replace(_BLANK, "")
    if rules.VERB_ONLY.match(words) and thing:
        return words + thing
    if len(words) < 8 and starts:
        x = starts[-2] if len(starts) >= 2 else 0
        earlier = sentence[x : starts[-1]]
        if not find_values(earlier) and not any(x <= e.start < starts[-1] for e in deadlines):
            earlier = clean(rules.ITEM_MARKER.sub("", earlier.strip(WHITESPACE))).replace(_BLANK, "")
            words = f"{earlier}，{words}" if earlier else words
    return words[:40]


def penalty_subject(sentence: str) -> str:
    """The conduct a fine is for: the clause(s) before 由/处, without 违反本…规定."""
    clauses = [c for c in re.split(r"[，,]", rules.ITEM_MARKER.sub("", sentence)) if c]
    kept = []
    for c in clauses:
        if re.match(r"^(?:由|处|责令|并处|可以|对)", c) or "罚款" in c:
            break
        c = re.sub(r"^违反本[^，]*?规定", "", c)  # 违反本条例第八条规定设置…的: keep the conduct
        if c:
            kept.append(c)
    return clean(rules.ITEM_MARKER.sub("", "，".join(kept)))[:40]


def is_noise(folded: str, f: Found, found: list[Found]) -> bool:
    """Figures that are no commitment: 3个环节 (how the work is organised), 全覆盖 in a list of
    slogans (无缝隙、全覆盖、无死角) or in a purpose (为实现…全覆盖), 24小时 naming what is counted
    next (24小时开放公厕50座), the old figure of 由18项扩大至25项, the step of 每低1个百分点扣0.5分."""
    if f.family == "count" and rules.ABSTRACT_NOUNS.match(folded[f.end : f.end + 4]):
        return True
    if rules.NOT_A_COMMITMENT.search(folded):  # a definition (是指, 所称)
        return True
    if rules.FORMULA.search(folded) and folded[f.start - 1 : f.start] not in "×*":
        return True  # 得分＝平均分×70%: only a weight (after ×) is a figure of a formula
    if folded[f.start - 1 : f.start] == "由" and rules.CHANGED_TO.match(folded, f.end):
        return True
    if rules.PER_STEP.search(folded[max(0, f.start - 3) : f.start]):
        return True
    if folded[max(0, f.start - 2) : f.start] in ("（含", "(含", "不含"):
        return True  # 90分以上（含90分）: the bound restated
    if f.family == "qualitative":
        clause = [m.end() for m in CLAUSE_END.finditer(folded, 0, f.start)]
        own = folded[clause[-1] if clause else 0 : f.start]
        return (
            folded[f.start - 1 : f.start] == "、" or folded[f.end : f.end + 1] == "、" or own.startswith("为")
        )
    later = [g for g in found if g.start >= f.end and g.family in ("count", "percent")]
    gap = folded[f.end : later[0].start] if later else ""
    if (
        f.family == "count"
        and later
        and len(gap) <= 8
        and re.fullmatch(r"[\u4e00-\u9fff]+(?:沿线|周边|两侧|沿街)", gap)
    ):
        return True  # 6条道路沿线1200块户外招牌: the first count places the second
    if f.unit in rules.DURATION_UNITS and "\u4e00" <= folded[f.end : f.end + 1] <= "\u9fff":
        end = CLAUSE_END.search(folded, f.end)
        return any(g.start > f.start and (end is None or g.start < end.start()) for g in found)
    return False


def is_past(folded: str, f: Found) -> bool:
    """在已完成的151个…: the words of the figure's clause say it is done already."""
    clause = [m.end() for m in CLAUSE_END.finditer(folded, 0, f.start)]
    return bool(rules.PAST.search(folded, clause[-1] if clause else 0, f.start))
