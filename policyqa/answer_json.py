"""An `Answer` as a JSON-ready dict: the one function behind batch predictions, `policyqa ask --json`,
the app's /ask API and the feedback log.

Those outputs deliberately differ in shape (the batch contract is what the scorer reads; the API and
the feedback log carry more about each citation), so each caller names its fields, in its own order,
and adds its own extra fields itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from policyqa.records import Answer, Hit

# The batch contract: predictions files and `ask --json`. The batch runner adds "id" in front.
BATCH_FIELDS = ("answer", "refused", "citations", "passages")
BATCH_CITATION_FIELDS = ("file", "section", "quote")


def answer_to_json(
    answer: Answer,
    fields: Sequence[str] = BATCH_FIELDS,
    citation_fields: Sequence[str] = BATCH_CITATION_FIELDS,
) -> dict:
    """`answer` as a dict of `fields`, in that order.

    "answer" is the answer text, "citations" lists each citation's `citation_fields` (any
    `Citation` attribute, "section" being its joined path), "passages" the retrieved passages;
    any other name is the `Answer` attribute of that name.
    """
    out = {}
    for name in fields:
        if name == "answer":
            out[name] = answer.text
        elif name == "citations":
            out[name] = [{field: getattr(c, field) for field in citation_fields} for c in answer.citations]
        elif name == "passages":
            out[name] = [passage_to_json(hit) for hit in answer.hits]
        else:
            out[name] = getattr(answer, name)
    return out


def passage_to_json(hit: Hit) -> dict:
    """One retrieved passage: file, section path, verbatim text, fused score."""
    return {
        "file": hit.chunk.file,
        "section": hit.chunk.section,
        "text": hit.chunk.text,
        "score": round(hit.score, 6),
    }
