"""LLM answer mode: strict prompt over numbered passages -> streamed reply -> verified Answer."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from policyqa.records import Answer, Chunk, Hit
from retrieval.llm import LLM
from retrieval.prompts import REFUSAL, language, messages
from retrieval.quotes import split_sentences
from retrieval.verify import (
    MARKER,
    dropped_note,
    is_refusal,
    refusal_text,
    strip_markers,
    verify,
    without_instructions,
)

# A 1.5B model on 2 cores reads ~63 prompt tokens/s. Measured with it: 6 passages (~1,800 tokens)
# took ~30 s to the first token and it refused most answerable questions; 4 passages (~1,200
# tokens) answer more often, and sooner.
MAX_PASSAGES = 4
PASSAGE_TOKENS = 1200
ANSWER_TOKENS = 256  # answers are a few sentences; a 1.5B model writes ~12 tokens/s on 2 cores
UNCITED_SENTENCES = 3
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """Rough Qwen token count: a CJK character is about one token, other text about 3.5 characters a token."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4 + 1


def _fit(chunk: Chunk, text: str, budget: int) -> str:
    """`text` cut at a sentence end so it fits `budget` tokens ("" if not even one sentence fits)."""
    if estimate_tokens(text) <= budget:
        return text
    kept = ""
    for sentence in split_sentences(chunk):
        candidate = kept + sentence.text
        if estimate_tokens(candidate) > budget:
            break
        kept = candidate
    return kept


def select_passages(hits: Sequence[Hit], budget: int = PASSAGE_TOKENS) -> list[tuple[Chunk, str]]:
    """(chunk, text shown to the model) for the best hits that fit the token budget, best first."""
    chosen: list[tuple[Chunk, str]] = []
    seen: set[str] = set()
    for hit in hits:
        chunk = hit.chunk
        if chunk.id in seen or len(chosen) >= MAX_PASSAGES:
            continue
        # Text that gives orders to a model is never shown to it (the prompt says to ignore such text too).
        text = without_instructions(chunk.text).strip()
        header = f"[{len(chosen) + 1}] 《{chunk.title}》 {chunk.section}\n"
        room = budget - estimate_tokens(header)
        text = _fit(chunk, text, room) if room > 0 else ""
        if not text:
            if chosen:
                break
            continue
        chosen.append((chunk, text))
        seen.add(chunk.id)
        budget -= estimate_tokens(header + text)
    return chosen


def render_passages(passages: Sequence[tuple[Chunk, str]]) -> str:
    """`[n] 《title》 section path` then the passage text, one block per passage."""
    return "\n\n".join(
        f"[{n}] 《{chunk.title}》 {chunk.section}\n{text}" for n, (chunk, text) in enumerate(passages, 1)
    )


def _history_block(history: Sequence[tuple[str, str]], lang: str, turns: int = 2) -> str:
    if not history:
        return ""
    lines = []
    for question, answer in list(history)[-turns:]:
        short = strip_markers(answer).strip().replace("\n", " ")[:150]
        lines.append(f"Q: {question}\nA: {short}" if lang == "en" else f"问：{question}\n答：{short}")
    label = (
        "Earlier conversation (only to understand the question; not a passage):"
        if lang == "en"
        else "之前的对话（仅用于理解问题，不是资料）："
    )
    return "\n" + label + "\n" + "\n".join(lines) + "\n"


def answer_messages(
    question: str, passages: Sequence[tuple[Chunk, str]], history: Sequence[tuple[str, str]] = ()
) -> list[dict[str, str]]:
    """The chat messages of the strict answer prompt in the question's language."""
    lang = language(question)
    return messages(
        f"answer.{lang}",
        passages=render_passages(passages),
        question=question.strip(),
        history=_history_block(history, lang),
        refusal=REFUSAL[lang],
    )


def _run(
    llm: LLM,
    msgs: list[dict[str, str]],
    max_tokens: int,
    on_token: Callable[[str], None] | None,
    stop_uncited: bool = False,
) -> str:
    """The model's whole reply, each piece passed to `on_token` as it arrives.

    With `stop_uncited`, generation stops once the reply has run UNCITED_SENTENCES sentences past
    its last [n] marker: the model is copying passages out, the verifier would drop all of it, and
    on 2 CPU cores every needless token costs the reader ~0.1 s of waiting.
    """
    pieces: list[str] = []
    stream = llm.stream(msgs, max_tokens=max_tokens)
    try:
        for piece in stream:
            pieces.append(piece)
            if on_token is not None:
                on_token(piece)
            if stop_uncited and _uncited_run("".join(pieces)) >= UNCITED_SENTENCES:
                break
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # a local model's lock is released at once, not when the generator is collected
    return "".join(pieces)


def _uncited_run(text: str) -> int:
    """How many sentences `text` has ended since its last [n] marker."""
    last = None
    for last in MARKER.finditer(text):  # noqa: B007 (only the last match is wanted)
        pass
    tail = text[last.end() :] if last else text
    return len(re.findall(r"[。！？!?]+|\n+|\.\s", tail))


def generate_answer(
    question: str,
    hits: Sequence[Hit],
    llm: LLM,
    *,
    history: Sequence[tuple[str, str]] = (),
    on_token: Callable[[str], None] | None = None,
) -> Answer:
    """Ask `llm` to answer from the best hits, stream its tokens to `on_token`, keep only verified sentences."""
    lang = language(question)
    passages = select_passages(hits)
    if not passages:
        return Answer(question, refusal_text(lang), (), True, tuple(hits), mode="llm")
    raw = _run(llm, answer_messages(question, passages, history), ANSWER_TOKENS, on_token, stop_uncited=True)
    checked = verify(raw, [chunk for chunk, _ in passages], lang=lang)
    dropped = tuple(f"{sentence} ({reason})" for sentence, reason in checked.dropped)
    text = checked.text
    if checked.refused and dropped:
        text += dropped_note(len(dropped), lang)
    return Answer(
        question=question,
        text=text,
        citations=checked.citations,
        refused=checked.refused,
        hits=tuple(hits),
        dropped_claims=dropped,
        mode="llm",
    )


_LABEL = re.compile(
    r"^(?:改写后的(?:完整)?问题|完整问题|独立问题|问题|Rewritten question|Question)\s*[:：]\s*", re.I
)


def rewrite_followup(question: str, history: Sequence[tuple[str, str]], llm: LLM) -> str:
    """A standalone version of a follow-up `question`, written by the LLM; unchanged without history
    or when the model's reply does not look like a question."""
    if not history:
        return question
    turns = []
    for previous_q, previous_a in list(history)[-3:]:
        short = strip_markers(previous_a).strip().replace("\n", " ")[:200]
        turns.append(f"问：{previous_q}\n答：{short}")
    msgs = messages("rewrite.zh", history="\n".join(turns), question=question.strip())
    reply = _run(llm, msgs, 96, None)
    line = next((line.strip() for line in reply.splitlines() if line.strip()), "")
    line = _LABEL.sub("", line).strip().strip("“”\"'「」").strip()
    too_long = len(line) > max(3 * len(question), len(question) + 120)
    # Small models drift into English or answer instead of asking: keep the user's own words then.
    switched = language(line) != language(question)
    if not line or too_long or switched or is_refusal(line):
        return question
    return line
