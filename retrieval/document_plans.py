"""Plans about whole documents: a fact of the document itself (`document_fact`: 文号, issuer or a
date from its metadata, cited where its text states it), which document answers
(`which_document`), and a comparison that runs a plan once per compared document
(`per_document`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from index.keyword import fold
from policyqa.records import OUTLINE, DocumentMeta, Hit
from retrieval.plan_records import Block, Context, Found, Pick, top_hits
from retrieval.question import Part
from retrieval.quotes import MIN_QUOTE_CHARS, split_sentences
from retrieval.sentences import doc_label, header
from retrieval.value_plans import best_sentences, slot_value


def document_fact(ctx: Context, part: Part) -> Found:
    """文号, issuing body or a date of the document itself: read from the document's metadata and
    cited where it stands in the text (its header, 落款 or the 施行 article)."""
    files = _target_files(ctx)
    blocks, leads = [], []
    for file in files:
        meta = ctx.documents.get(file)
        value = _meta_value(meta, part) if meta else ""
        pick = _find_in_document(ctx, file, value, part) if value else None
        if pick is None:
            continue
        blocks.append(Block(header(ctx, pick.chunk), (pick,)))
        label = doc_label(meta, pick.chunk) if len(files) > 1 else ""
        leads.append((f"{label}{value}", pick))
    if not blocks:
        found = slot_value(ctx, part)
        return found
    return Found(blocks=tuple(blocks), leads=tuple(leads))


def _target_files(ctx: Context) -> list[str]:
    q = ctx.question
    if q.named_files:
        return list(q.named_files[:2] if q.compare else q.named_files[:1])
    return [ctx.hits[0].chunk.file] if ctx.hits else []


def _meta_value(meta: DocumentMeta, part: Part) -> str:
    if part.slot == "doc_number":
        return meta.doc_number
    if part.slot == "issuer":
        return meta.issuer
    if part.date_kind in ("施行", "通过", "修正", "修订"):
        iso = meta.date(part.date_kind)
    else:
        # An issuing date asked loosely (出台, 落款, 印发) is the first of these the document states.
        order = (part.date_kind, "成文", "印发", "发布") if part.date_kind else ("成文", "印发", "发布")
        iso = next((meta.date(kind) for kind in order if kind and meta.date(kind)), "")
    if not iso:
        return ""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日"


def _find_in_document(ctx: Context, file: str, value: str, part: Part) -> Pick | None:
    """The first quotable sentence of the document holding the value (date digits compared loosely)."""
    target = fold(value)
    loose = re.sub(r"(?<!\d)0(\d)", r"\1", target)
    for chunk in ctx.chunks_of(file):
        for s in split_sentences(chunk):
            text = fold(s.text)
            if len(s.text) >= MIN_QUOTE_CHARS and (target in text or loose in re.sub(r"\s", "", text)):
                if (
                    part.date_kind
                    and part.slot == "doc_date"
                    and part.date_kind not in s.text
                    and len(s.text) > 30
                ):
                    continue
                return Pick(0, chunk, s, 1.0)
    return None


def which_document(ctx: Context, part: Part) -> Found:
    """哪一份规定…: answer from the best-matching document, leading with its title; 哪几份 / 都提到
    (a comparison): every document whose best passage scores close to the best, one block each."""
    if not ctx.hits:
        return Found()
    if ctx.question.compare:
        found = per_document(ctx, part, best_sentences)
        leads = tuple(
            (doc_label(ctx.documents.get(b.picks[0].chunk.file), b.picks[0].chunk), b.picks[0])
            for b in found.blocks
        )
        return replace(found, leads=leads)
    file = ctx.hits[0].chunk.file
    sub = replace(ctx, hits=[h for h in top_hits(ctx) if h.chunk.file == file])
    found = best_sentences(sub, part)
    if not found.blocks:
        return found
    first = found.blocks[0].picks[0]
    meta = ctx.documents.get(file)
    return replace(found, leads=((doc_label(meta, first.chunk), first),))


def per_document(ctx: Context, part: Part, plan: Callable[[Context, Part], Found]) -> Found:
    """A comparison: the part's plan run once per compared document, one block each.

    Compared documents are the ones the question names; without names, those whose best passage
    scores close to the best."""
    by_file: dict[str, list[Hit]] = {}
    for hit in top_hits(ctx):
        if hit.chunk.kind != OUTLINE:
            by_file.setdefault(hit.chunk.file, []).append(hit)
    named = set(ctx.question.named_files)
    best = max((h.score for h in ctx.hits[:1]), default=0.0)
    blocks, leads, missing, said = [], [], [], []
    for file, hits in by_file.items():
        if (named and file not in named) or (
            not named and hits[0].score < ctx.thresholds.compare_floor * best
        ):
            continue
        found = plan(replace(ctx, hits=hits), part)
        if found.missing:
            missing.append(found.missing)
            said += found.said
            continue
        blocks += found.blocks
        leads += [(f"{doc_label(ctx.documents.get(file), p.chunk)}{text}", p) for text, p in found.leads]
    if not blocks:
        return Found(missing=missing[0] if missing else "", said=tuple(said))
    return Found(blocks=tuple(blocks), leads=tuple(leads))
