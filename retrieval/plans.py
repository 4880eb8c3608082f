"""Answer plans: one small function per *kind* of question, each returning cited blocks.

A plan reads the analysed `Question` (never the question string), the retrieved hits and the
documents' metadata, and returns a `Found`: blocks of verbatim sentences (each becomes a citation),
optional *lead* lines that state the asked value first (cut verbatim from a cited sentence), and,
when the slot asked for is not in the passages, what is missing and what the documents do say.

    list_items        X包括哪几项 / 都有哪些 / 哪N个: a section's children, or one enumerating sentence
    table_cell        牵头单位 / 责任单位 / 完成时限 / 分值 of a task: the row's column in a table
    document_fact     文号 / 印发·施行 dates / issuing body: the document's own metadata, cited in its text
    slot_value        多少 / 何时 / 由谁: the clause that carries the slot and agrees with the constraints
    section_content   有哪些要求 / 措施: the named section's own sentences (a heading is never an answer)
    which_document    哪一份规定…: the best document and its supporting sentence
    best_sentences    anything else: the best few sentences

`plan_for(part)` chooses the plan by slot (table `PLANS`); `document_plans.per_document` runs a
plan once per compared document.

Where they live:

    plan_records      what a plan reads and returns: Context, Thresholds, Pick, Block, Found
    checks            answerability: the slot a sentence holds, topic cover, place and year agreement
    sentences         choosing, scoring and grouping quotable sentences
    value_plans       best_sentences, slot_value, table_cell
    table_plans       table rows: table_row_values, and things listed as a table's rows
    document_plans    document_fact, which_document, per_document
    list_plans        list_items, section_content
"""

from __future__ import annotations

from collections.abc import Callable

from retrieval.document_plans import document_fact, which_document
from retrieval.list_plans import list_items, section_content
from retrieval.plan_records import Context, Found
from retrieval.question import Part
from retrieval.value_plans import best_sentences, slot_value, table_cell

PLANS: dict[str, Callable[[Context, Part], Found]] = {
    "items": list_items,
    "quantity": slot_value,
    "date": slot_value,
    "deadline": table_cell,
    "responsible": table_cell,
    "score": table_cell,
    "doc_number": document_fact,
    "issuer": document_fact,
    "doc_date": document_fact,
    "which_doc": which_document,
    "requirements": section_content,
    "fact": best_sentences,
}


def plan_for(part: Part) -> Callable[[Context, Part], Found]:
    """The plan that answers a part, chosen by the slot it asks for."""
    return PLANS.get(part.slot, best_sentences)
