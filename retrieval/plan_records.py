"""What a plan reads and returns: the per-question `Context`, every tunable number (`Thresholds`,
`DEFAULT`), and the records of a result: `Pick` (one quoted sentence), `Block` (picks under one
document and section) and `Found` (a plan's blocks, lead lines and what is missing)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from index.keyword import fold
from policyqa.records import Chunk, DocumentMeta, Hit, Target
from retrieval.places import strip_admin_suffix
from retrieval.question import Question
from retrieval.quotes import Sentence


@dataclass(frozen=True)
class Thresholds:
    """Every tunable number of the plans and the answerability checks, in one place."""

    passages: int = 5  # hits a plan reads
    evidence_passages: int = 3  # hits a value must be found in
    answer_budget: int = 200  # characters of quoted text in a short answer
    rank_decay: float = 0.85  # a lower-ranked passage needs a clearly better sentence
    slot_bonus: float = 3.0  # a sentence holding the asked slot
    slot_damping: float = 0.3  # a sentence without it
    # Share of the part's topic weight a supporting sentence (with its heading) must cover.
    subject_cover: float = 0.34
    row_cover: float = 0.5  # the same, for a table row's name cell
    heading_named: float = 0.8  # the question spells out this share of a heading: it names the section
    heading_half_named: float = 0.5  # … of the best passage's own heading, for its requirements
    compare_floor: float = (
        0.75  # an unnamed document joins a comparison when its best passage scores this close
    )
    # Ledger rows (retrieval/ledger_plans.py): share of the question's topic a row's own words must
    # cover to answer for it; lower when the row also holds the figure the question names.
    ledger_cover: float = 0.7
    ledger_cover_with_value: float = 0.5
    ledger_rows: int = 12  # rows listed for one "due before" question
    ledger_documents: int = 8  # documents listed for one "which documents" or comparison question


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Pick:
    hit_rank: int
    chunk: Chunk
    sentence: Sentence
    score: float


@dataclass(frozen=True)
class Block:
    header: str  # 《title》 section path
    picks: tuple[Pick, ...]


@dataclass(frozen=True)
class Found:
    """A plan's result: blocks to cite, lead lines (value first), and what is missing."""

    blocks: tuple[Block, ...] = ()
    leads: tuple[tuple[str, Pick], ...] = ()  # (value text, the pick it is cut from)
    missing: str = ""  # the slot asked is not in the passages (a reason, in the question's language)
    said: tuple[Block, ...] = ()  # when missing: what the documents do say nearby


@dataclass(frozen=True)
class Context:
    question: Question
    hits: Sequence[Hit]
    documents: dict[str, DocumentMeta]
    weights: dict[str, float]  # question term -> how much a sentence containing it is worth
    chunks_of: Callable[[str], Sequence[Chunk]]  # every chunk of a file, in order
    thresholds: Thresholds = field(default=DEFAULT)
    targets: Sequence[Target] = ()  # the targets ledger: every document's commitments and deadlines
    # Per-question values the checks read for every candidate sentence, computed once.
    _topics: dict = field(default_factory=dict, compare=False, repr=False)
    _texts: dict = field(default_factory=dict, compare=False, repr=False)

    @functools.cached_property
    def asked_places(self) -> frozenset[str]:
        """The places the question names, with the city each named district lies in (as the
        documents' own metadata says)."""
        asked = set(self.question.places)
        wanted = set(asked)
        for meta in self.documents.values():
            if asked & places_of(meta):
                wanted |= {meta.city, strip_admin_suffix(meta.city)} - {""}
        return frozenset(wanted)

    def document_text(self, file: str) -> str:
        """A document's whole text, folded (memoised: the checks ask it once per candidate)."""
        if file not in self._texts:
            self._texts[file] = fold("\n".join(c.text for c in self.chunks_of(file)))
        return self._texts[file]


def places_of(meta: DocumentMeta) -> set[str]:
    """The places a document is of (its city and district), with and without the admin suffix."""
    names = {meta.city, meta.district} - {""}
    return names | {strip_admin_suffix(n) for n in names}


def top_hits(ctx: Context) -> list[Hit]:
    """The hits a plan reads."""
    return list(ctx.hits[: ctx.thresholds.passages])
