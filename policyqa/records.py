"""The typed records that flow through the pipeline.

Index time:  RawDocument -> Document (DocumentMeta + Section tree) -> Chunk
Query time:  Chunk -> Hit -> Citation -> Answer

All records are frozen dataclasses (or NamedTuples for the hot query path), so a stage can
never change what an earlier stage produced. Offsets (`start`, `end`) are character offsets
into `RawDocument.text`, which for `.txt`/`.md` files is the decoded file text itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import NamedTuple

# Chunk kinds
BODY = "body"  # verbatim text of one section (or a sentence-aligned part of it)
OUTLINE = "outline"  # a parent section's heading plus the list of its child headings
TABLE = "table"  # a rebuilt table row (with its header and group context)

# Section kinds: where in an official document a section stands
SECTION_KINDS = ("header", "notice", "preamble", "body", "attachment", "table", "footer")


@dataclass(frozen=True)
class RawDocument:
    """A file's extracted plain text; every later offset refers to `text`."""

    file: str  # path relative to the corpus folder, with forward slashes
    text: str
    format: str  # txt | md | html | docx | pdf
    encoding: str = "utf-8"  # detected source encoding ("binary" for docx/pdf)
    # Metadata the format itself carries, e.g. an HTML page's 发布机构 / 文件编号 list.
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DocumentMeta:
    """What a citation shows about a document, and what filters select on."""

    file: str
    title: str
    issuer: str = ""  # 发布机构 / 落款
    doc_number: str = ""  # 文号, e.g. 宁政办发〔2023〕3号
    dates: tuple[tuple[str, str], ...] = ()  # (kind, ISO date); kind is 成文 | 印发 | 发布
    city: str = ""
    district: str = ""
    years: tuple[int, ...] = ()  # years the document covers
    kind: str = ""  # 意见 | 要点 | 计划 | 通知 | 办法 | 条例 | ...
    sha256: str = ""
    format: str = "txt"

    def date(self, kind: str) -> str:
        return dict(self.dates).get(kind, "")


@dataclass(frozen=True)
class Section:
    """One node of a document's heading tree.

    `path` holds the headings from just below the document title down to this section,
    e.g. ("三、工作任务", "（一）全面实施精细化管理，推动城市品质再升级", "2．抓好精细化环卫保洁").
    For a run-in heading (`（一）加强组织领导。市城管局要…`) the heading is the text up to the
    first 。. `start`/`end` cover the heading and everything under it; `body_start` is where
    the section's own text begins after its heading.
    """

    heading: str
    level: int
    path: tuple[str, ...]
    start: int
    end: int
    body_start: int
    kind: str = "body"  # one of SECTION_KINDS
    children: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Document:
    meta: DocumentMeta
    text: str
    sections: tuple[Section, ...]  # top level, in document order

    def walk(self):
        """Every section, depth first, in document order."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage.

    `text` is made only of verbatim source text: one span (`start`, `end`) for body chunks;
    an outline passage or a rebuilt table row joins several verbatim pieces, listed in `spans`.
    `embed_text` adds the title and section path as context for the embedder and BM25.
    """

    id: str  # stable: "<file>#<ordinal within file>"
    file: str
    title: str
    section_path: tuple[str, ...]
    start: int
    end: int
    text: str
    embed_text: str
    kind: str = BODY
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)


class Hit(NamedTuple):
    """One retrieved chunk with its fused score and the ranks each retriever gave it."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    keyword_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] marker used in the answer text
    file: str
    title: str
    section_path: tuple[str, ...]
    quote: str  # verbatim sentence(s) from the file
    start: int
    end: int
    doc_number: str = ""
    issuer: str = ""
    date: str = ""

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    citations: tuple[Citation, ...]
    refused: bool
    hits: tuple[Hit, ...] = ()
    rewritten_question: str = ""  # the standalone question when a follow-up was rewritten
    dropped_claims: tuple[str, ...] = ()  # LLM sentences removed by citation verification
    mode: str = "extractive"
    notes: tuple[str, ...] = field(default=())  # e.g. "index is stale"


# Target kinds: what a ledger row commits to
TARGET_KINDS = ("target", "task", "penalty", "score", "standard")


@dataclass(frozen=True)
class Target:
    """One quantified commitment or deadline of a document: a ledger row, cited by its verbatim sentence.

    `sentence` is `text[start:end]` of the document (for a table row, the row's span). `value` is
    as written ("100%", "1万个", "5000元以上5万元以下"; "" for a deadline-only task); `number` is its
    first figure normalised for sorting (万 → ×10000, Chinese numerals read).
    """

    id: str  # stable: "<file>#t<ordinal within file>"
    file: str
    title: str
    doc_number: str
    city: str
    district: str
    year: int | None  # the document's year
    section_path: tuple[str, ...]
    sentence: str
    start: int
    end: int
    subject: str  # what is measured or committed: 主干道机扫率, 新改建公厕
    value: str
    number: float | None
    unit: str  # %, 座, 个, 公里, 元, 分, 天 …
    qualifier: str  # 以上 / 不低于 / 力争 / 全覆盖 / 零增长 … ("" if none)
    scope: str  # 主城区, 各区, 全市 … where stated
    period: str  # as written: "2021—2023年"
    deadline: str  # ISO date when the text allows, else ""
    deadline_text: str  # the words the deadline came from: "6月底前"
    responsible: tuple[str, ...]
    kind: str  # one of TARGET_KINDS
    source: str  # "text" | "table"

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    def to_json(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["section_path"] = list(self.section_path)
        data["responsible"] = list(self.responsible)
        return data

    @classmethod
    def from_json(cls, data: dict) -> Target:
        return cls(
            **{
                **data,
                "section_path": tuple(data["section_path"]),
                "responsible": tuple(data["responsible"]),
            }
        )
