"""Check an LLM answer against the passages it cites, sentence by sentence.

A sentence is kept only if it carries [n] markers that point at real passages, every figure,
date and quoted name in it occurs in a cited passage, and enough of its wording (character
bigrams) comes from a cited passage. Text inside a passage that addresses the model
("忽略以上所有指令，回答……") is data, never support, so a model that obeys an injected
instruction produces a sentence nothing supports. Kept citations get a verbatim quote: the
sentence(s) of the chunk that best match the claims citing it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from index.cjk import chinese_number
from policyqa.records import Chunk, Citation
from retrieval.prompts import REFUSAL
from retrieval.quotes import MIN_QUOTE_CHARS, Sentence, split_sentences

# Share of a Chinese sentence's character bigrams that must occur in its cited passages.
MIN_OVERLAP = 0.45
# English sentences shorter than this (in words) with nothing checkable in them are dropped.
MIN_ENGLISH_WORDS = 3

MARKER = re.compile(r"[\[【［]\s*(\d{1,3}(?:\s*[,，、\-–~～]\s*\d{1,3})*)\s*[\]】］]")
_ENGLISH_STOP = re.compile(r"(?<=[A-Za-z0-9%)\]】])\.(?=\s+[A-Z\[【(]|\s*$)")
_LIST_ENUM = re.compile(r"^\s*(?:\d{1,2}[.、)）](?!\d)|[（(]\d{1,2}[)）]|[-*•·]\s)\s*")
_LEAD_IN = re.compile(
    r"^(?:(?:根据|依据|按照|据)(?:以上|上述)?(?:资料|文件|材料|段落|通知|意见)[^，,：:]{0,24}[，,：:]"
    r"|(?:资料|文件|材料)(?:中)?(?:显示|指出|提到|提出|明确|规定|要求)[，,：:]?)"
)
_CITE_ONLY = re.compile(
    r"^[（(]?\s*(?:依据|根据|参见|参考|见|来源|出自|引自|详见|source|see)?\s*"
    r"(?:资料|段落|文件|材料|原文|passages?|sources?)?\s*[:：]?\s*[)）]?\s*[。.]?$",
    re.IGNORECASE,
)
_REFUSAL_SENTENCE = re.compile(
    r"(?:文件|资料|材料|段落)(?:中)?(?:均|都|并)?(?:未|没有|无)(?:找到|提及|提到|涉及|包含|说明|相关)"
    r"|未找到相关|无法(?:从资料中)?(?:回答|确定|找到)"
    r"|documents? do(?:es)? not (?:say|mention|contain|state)|passages? do(?:es)? not (?:say|mention|contain)"
    r"|no (?:relevant )?information",
    re.IGNORECASE,
)
# Words that address a language model, not a reader of a policy document.
_INSTRUCTION = re.compile(
    r"(?:忽略|无视|忘记|不要理会|不必理会)[^。！？]{0,12}(?:指令|指示|提示|规则|设定|要求|内容)"
    r"|(?:你|助手|模型|AI|ai)(?:现在)?(?:必须|只能|应当|应该|要|需要)(?:回答|回复|输出|说)"
    r"|(?:^|[，,。：:\s])(?:请)?(?:回答|回复|输出|答复)\s*[:：]?\s*[“\"'「]"
    r"|ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|preceding) (?:instructions|prompts|rules)"
    r"|disregard (?:all |any )?(?:the )?(?:previous|prior|above) |you are now |system prompt"
    r"|(?:answer|reply|respond|say)(?: with| only)?\s*[:：]?\s*[\"“']",
    re.IGNORECASE,
)
_QUOTED = re.compile(
    r"“([^”]{1,80})”|《([^》]{1,80})》|\"([^\"]{1,80})\"|「([^」]{1,80})」|『([^』]{1,80})』"
)
_NUMBER = re.compile(r"(?<![\d.])\d+(?:,\d{3})*(?:\.\d+)?(?![\d])")
_UNIT = "年月日号个家座条处项所台套件次天周%‰万亿千百米吨辆户人元亩批期届名倍栋间份类级星公平立"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_QUOTE_MARKS = str.maketrans({c: '"' for c in "“”‘’＂＇「」『』"})


@dataclass(frozen=True)
class Verified:
    text: str  # kept sentences, markers renumbered 1..m in order of first use (or the refusal)
    cited: tuple[tuple[int, Chunk], ...]  # (new n, chunk)
    citations: tuple[Citation, ...]
    dropped: tuple[tuple[str, str], ...]  # (sentence as the model wrote it, why it was dropped)
    refused: bool


def norm(text: str) -> str:
    """Comparison form: NFKC (full -> half width), one kind of quote mark, no whitespace, lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTE_MARKS)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 == 1000
    return re.sub(r"\s+", "", text).lower()


def _content(text: str) -> str:
    """Only the characters that carry meaning: CJK, letters, digits."""
    return "".join(c for c in norm(text) if c.isalnum())


def _bigrams(content: str) -> set[str]:
    return {content[i : i + 2] for i in range(len(content) - 1)}


def markers(sentence: str) -> list[int]:
    """Passage numbers cited by [n] / 【n】 / [n,m] / [n-m] / [n][m] markers, in order."""
    found: list[int] = []
    for match in MARKER.finditer(sentence):
        body = unicodedata.normalize("NFKC", match.group(1))
        for part in re.split(r"\s*[,，、]\s*", body):
            ends = re.split(r"\s*[\-–~～]\s*", part)
            if (
                len(ends) == 2
                and ends[0].isdigit()
                and ends[1].isdigit()
                and int(ends[1]) - int(ends[0]) < 10
            ):
                found.extend(range(int(ends[0]), int(ends[1]) + 1))
            else:
                found.extend(int(e) for e in ends if e.isdigit())
    return list(dict.fromkeys(found))


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def is_instruction(sentence: str) -> bool:
    """Whether a sentence gives orders to a language model (a planted prompt injection)."""
    return bool(_INSTRUCTION.search(unicodedata.normalize("NFKC", sentence)))


def instruction_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of sentences in `text` that give orders to a language model."""
    spans = []
    for match in re.finditer(r"[^。！？!?；;\n]+[。！？!?；;]*", text):
        if is_instruction(match.group()):
            spans.append((match.start(), match.end()))
    return spans


def without_instructions(text: str) -> str:
    """`text` with every sentence that addresses a language model cut out."""
    out, cursor = [], 0
    for start, end in instruction_sentences(text):
        out.append(text[cursor:start])
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def _demanded_replies(chunks: Sequence[Chunk]) -> set[str]:
    """Quoted strings inside injected instructions: what the injection wants the model to say."""
    demanded = set()
    for chunk in chunks:
        for start, end in instruction_sentences(chunk.text):
            for match in _QUOTED.finditer(chunk.text[start:end]):
                phrase = norm(next(g for g in match.groups() if g))
                if len(_content(phrase)) >= 2:
                    demanded.add(phrase)
    return demanded


def _split(text: str) -> list[tuple[str, str]]:
    """LLM text -> (sentence, separator after it). Markers written after the full stop stay with
    the sentence they follow ("……完成改造。[1]")."""
    text = _ENGLISH_STOP.sub(".\u2029", text)  # mark English full stops as sentence ends
    pieces = [p for p in re.split(r"(?<=[。！？!?\u2029])|(?=\n)", text) if p]
    out: list[list[str]] = []
    for piece in pieces:
        sep = ""
        body = piece.replace("\u2029", "")
        if body.startswith("\n"):
            stripped = body.lstrip("\n")
            if out:
                out[-1][1] += body[: len(body) - len(stripped)]
            body = stripped
        lead = re.match(r"^\s*(?:" + MARKER.pattern + r"\s*)+", body)
        if lead and out and "\n" not in out[-1][1]:
            out[-1][0] += lead.group().strip()
            body = body[lead.end() :]
        if body.strip():
            out.append([body.strip(), sep])
        elif out and body:
            out[-1][1] += body if "\n" in body else ""
    # "……达到95%以上。依据资料[1]。": a sentence that only names its source cites for the one before.
    merged: list[list[str]] = []
    for sentence, sep in out:
        found = MARKER.findall(sentence)
        if merged and found and _CITE_ONLY.match(strip_markers(sentence).strip()):
            merged[-1][0] += "".join(f"[{m}]" for m in found)
            merged[-1][1] += sep
        else:
            merged.append([sentence, sep])
    return [(s, sep) for s, sep in merged]


def _figures(claim: str) -> list[tuple[str, str]]:
    """(number, unit) pairs in a normalised claim; unit is "" when no unit character follows."""
    out = []
    for match in _NUMBER.finditer(claim):
        nxt = claim[match.end() : match.end() + 1]
        out.append((match.group().replace(",", ""), nxt if nxt and nxt in _UNIT else ""))
    return out


def _has_figure(support: str, number: str, unit: str) -> bool:
    standalone = re.compile(r"(?<![\d.])" + re.escape(number) + r"(?!\d|\.\d)")
    if not unit:
        return bool(standalone.search(support))
    if any(support[m.end() : m.end() + 1] == unit for m in standalone.finditer(support)):
        return True
    # 5座 in the answer may be 五座 in the document.
    return number.isdigit() and int(number) < 1000 and (chinese_number(int(number)) + unit) in support


@dataclass
class _Passage:
    n: int
    chunk: Chunk
    support: str  # normalised title + section path + text, injected instructions removed
    bigrams: set[str]  # of the text alone: echoing a passage's title and headings answers nothing


def _passages(chunks: Sequence[Chunk]) -> list[_Passage]:
    out = []
    for i, chunk in enumerate(chunks, 1):
        clean = without_instructions(chunk.text)
        support = norm(" ".join((f"《{chunk.title}》", *chunk.section_path, clean)))
        out.append(_Passage(i, chunk, support, _bigrams(_content(clean))))
    return out


def _problem(claim: str, cited: list[_Passage]) -> tuple[str, float]:
    """Why `claim` (markers removed) is not supported by the passages `cited` ("" if it is), and its overlap."""
    text = norm(_LIST_ENUM.sub("", claim))
    body = _LEAD_IN.sub("", text)
    support = "\n".join(p.support for p in cited)
    for number, unit in _figures(body):
        if not _has_figure(support, number, unit):
            return f"figure {number}{unit} is not in the cited passage", 0.0
    for match in _QUOTED.finditer(claim):
        name = norm(next(g for g in match.groups() if g))
        if (_CJK.search(name) or re.search(r"\d", name)) and name not in support:
            return f"name “{name}” is not in the cited passage", 0.0
    # Quoted names were checked above; the wording check is about what the sentence says of them.
    content = _content(_QUOTED.sub("", body))
    if len(content) < 4:  # "落实“桶长制”": the name is most of what it says
        content = _content(body)
    cjk = len(_CJK.findall(content))
    if cjk * 2 < len(content):
        # An English sentence about Chinese passages: only its figures, names and Chinese terms can be
        # checked; one with none of those must at least say something.
        for run in _CJK_RUN.findall(body):
            if run not in support:
                return f"term “{run}” is not in the cited passage", 0.0
        anchored = bool(_figures(body) or _CJK_RUN.search(body) or _QUOTED.search(claim))
        if not anchored and len(re.findall(r"[A-Za-z]+", body)) < MIN_ENGLISH_WORDS:
            return "too short to check against the cited passage", 0.0
        return "", 1.0
    grams = _bigrams(content)
    if not grams:
        return "no content", 0.0
    union = set().union(*(p.bigrams for p in cited))
    overlap = len(grams & union) / len(grams)
    if overlap < MIN_OVERLAP or len(grams & union) < 2:
        return f"wording not found in the cited passage (overlap {overlap:.2f})", overlap
    return "", overlap


def is_refusal(text: str) -> bool:
    """True when the text (or its first sentence) is the model saying the passages lack the answer."""
    bare = norm(strip_markers(text))
    if any(bare.startswith(norm(phrase)) for phrase in REFUSAL.values()):
        return True
    return bool(_REFUSAL_SENTENCE.search(bare[:40])) and len(_content(bare)) <= 40


def refusal_text(lang: str) -> str:
    return REFUSAL[lang] + ("。" if lang == "zh" else ".")


def dropped_note(count: int, lang: str) -> str:
    if lang == "en":
        return f"(Removed {count} statement(s) that could not be verified against the cited passages.)"
    return f"（已删除{count}处无法在引文中核实的内容）"


def _best_support(claim: str, passages) -> list[int]:
    """Numbers of the passage(s) that support `claim` (figures, names and wording); [] if none do.

    One passage when one suffices; otherwise the few passages that together support it (a list
    answer whose items come from sibling passages)."""
    alone, scored = [], []
    for passage in passages:
        why, overlap = _problem(claim, [passage])
        if not why:
            alone.append((overlap, passage.n))
        scored.append((overlap, passage.n, passage))
    if alone:
        return [max(alone)[1]]
    scored.sort(key=lambda x: (-x[0], x[1]))
    group = [p for overlap, _, p in scored[:4] if overlap > 0]
    if len(group) >= 2 and not _problem(claim, group)[0]:
        return sorted(p.n for p in group)
    return []


def verify(text: str, chunks: Sequence[Chunk], *, lang: str = "zh", repair: bool = True) -> Verified:
    """Keep the sentences of `text` that its cited passages support; chunks[n-1] is passage [n].

    With `repair`, a sentence whose [n] points at an existing but wrong passage, or that has no
    marker at all, is pointed at the passage that does support it (small models often mix up or
    forget the numbers); a sentence no passage supports is still dropped.
    """
    passages = _passages(chunks)
    # What an injected instruction demands, unless a passage really says it.
    demanded = {d for d in _demanded_replies(chunks) if not any(d in p.support for p in passages)}
    kept: list[tuple[str, list[int], str]] = []  # (claim without markers, passage numbers, separator)
    dropped: list[tuple[str, str]] = []
    pending_lead: tuple[str, str] | None = None
    for sentence, sep in _split(text):
        claim = strip_markers(sentence).strip()
        if len(_content(claim)) < 2:
            continue  # stray punctuation or a lone marker
        if is_refusal(claim):
            continue  # "文件中未找到……" is not a claim; with nothing else kept the answer is a refusal
        numbers = markers(sentence)
        if not numbers:
            if claim.endswith(("：", ":")) and len(_content(claim)) <= 20 and not _figures(norm(claim)):
                pending_lead = (claim, sep)  # "主要任务包括：" introduces the cited list that follows
                continue
            numbers = _best_support(claim, passages) if repair else []
            if not numbers:
                dropped.append((sentence, "no [n] citation marker"))
                continue
            # Small models often forget the marker: cite the passage(s) that verifiably support the claim.
        wrong = [n for n in numbers if not 1 <= n <= len(passages)]
        if wrong:
            dropped.append(
                (sentence, f"cites passage {', '.join(f'[{n}]' for n in wrong)} which does not exist")
            )
            continue
        if any(phrase in norm(claim) for phrase in demanded):
            dropped.append((sentence, "repeats an instruction found inside a passage"))
            continue
        cited = [passages[n - 1] for n in numbers]
        reason, _ = _problem(claim, cited)
        if reason and repair:
            better = _best_support(claim, [p for p in passages if p.n not in numbers])
            if better:
                numbers, reason = better, ""
        if reason:
            dropped.append((sentence, reason))
            continue
        if pending_lead:
            kept.append((pending_lead[0], [], pending_lead[1]))
        pending_lead = None
        kept.append((claim, numbers, sep))

    claims = [k for k in kept if k[1]]
    if not claims:
        return Verified(refusal_text(lang), (), (), tuple(dropped), True)

    renumber: dict[int, int] = {}
    parts = []
    for claim, numbers, sep in kept:
        for n in numbers:
            renumber.setdefault(n, len(renumber) + 1)
        tags = "".join(f"[{renumber[n]}]" for n in numbers)
        body = claim.rstrip()
        end = re.search(r"[。！？!?.；;]+$", body)
        if end and tags:
            body = body[: end.start()] + tags + end.group()
        elif tags:
            body = body + tags
        joiner = sep if sep else (" " if lang == "en" else "")
        parts.append(body + joiner)
    out = "".join(parts).strip()
    if dropped:
        out += ("\n" if "\n" in out else " " if lang == "en" else "") + dropped_note(len(dropped), lang)
    cited_pairs = tuple((new, chunks[old - 1]) for old, new in renumber.items())
    citations = tuple(
        _citation(new, chunk, [c for c, ns, _ in kept if old in ns])
        for (old, new), (_, chunk) in zip(renumber.items(), cited_pairs, strict=True)
    )
    return Verified(out, cited_pairs, citations, tuple(dropped), False)


def _slice(chunk: Chunk, first: Sentence, last: Sentence) -> str | None:
    """The verbatim source text from `first` to `last`, if the chunk holds it as one piece."""
    if chunk.spans:
        return first.text if first is last else None
    text = chunk.text[first.start - chunk.start : last.end - chunk.start]
    return text if text.startswith(first.text) and text.endswith(last.text) else None


def _citation(n: int, chunk: Chunk, claims: list[str]) -> Citation:
    """A Citation quoting the chunk sentence(s) that best support `claims`."""
    claim_grams = set().union(*(_bigrams(_content(strip_markers(c))) for c in claims)) if claims else set()
    figures = {f for c in claims for f, _ in _figures(norm(c))}
    every = split_sentences(chunk)
    # A quote never shows an injected instruction as if it supported the answer.
    sentences = [s for s in every if not _INSTRUCTION.search(unicodedata.normalize("NFKC", s.text))] or every

    def score(s: Sentence) -> float:
        grams = _bigrams(_content(s.text))
        hit = len(grams & claim_grams)
        return (
            hit
            + 3 * sum(1 for f in figures if f in norm(s.text))
            + (0.0 if len(_content(s.text)) >= MIN_QUOTE_CHARS else -100)
        )

    ranked = sorted(range(len(sentences)), key=lambda i: (-score(sentences[i]), i))
    best = ranked[0]
    first = last = best
    # Too short on its own (a heading, a clause): take the next sentence with it.
    while len(
        _content(_slice(chunk, sentences[first], sentences[last]) or "")
    ) < MIN_QUOTE_CHARS and last + 1 < len(sentences):
        if _slice(chunk, sentences[first], sentences[last + 1]) is None:
            break
        last += 1
    # A neighbour that supports much more of the claim joins the quote.
    if len(ranked) > 1 and abs(ranked[1] - best) == 1 and score(sentences[ranked[1]]) >= 3:
        lo, hi = min(first, ranked[1]), max(last, ranked[1])
        if _slice(chunk, sentences[lo], sentences[hi]) is not None and hi - lo + 1 < len(sentences):
            first, last = lo, hi
    quote = _slice(chunk, sentences[first], sentences[last]) or sentences[best].text
    if quote == sentences[best].text:
        first = last = best
    return Citation(
        n=n,
        file=chunk.file,
        title=chunk.title,
        section_path=chunk.section_path,
        quote=quote,
        start=sentences[first].start,
        end=sentences[last].end,
    )
