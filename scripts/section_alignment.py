"""Do the chunks carry the gold section of every gold quote?

For each `sources` entry (file, section, quote) of the gold file: take the chunks of that file
whose text contains the quote (both through the scorer's `norm()`); the entry is aligned when one
of them has a section path whose last heading matches the gold section by the scorer's section@5
rule (`gold_section_key` / `section_matches`). BODY and TABLE chunks are tried first; OUTLINE
chunks count only when no BODY/TABLE chunk holds the quote (a "what are the N tasks" quote is a
child heading, which stands whole only in its parent's outline).

    .venv/bin/python scripts/section_alignment.py [--gold ../shared/eval/dev.jsonl] [--quiet]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.chunk import chunk_document  # noqa: E402
from index.structure import parse  # noqa: E402
from policyqa.records import BODY, OUTLINE, TABLE, RawDocument  # noqa: E402

DEFAULT_GOLD = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def load_scorer(path: Path):
    """The gold set's own scorer module (stdlib only), for `norm` and the section@5 rule."""
    spec = importlib.util.spec_from_file_location("policyqa_gold_scorer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(
    gold: Path,
    corpus: Path,
    scorer: Path | None = None,
    chunk_tokens: int = 320,
    tokenizer: str = "cl100k_base",
) -> list[dict]:
    """One record per gold source: id, file, section, quote, status, and the candidate sections.

    status: `body` (a BODY/TABLE chunk holding the quote has the gold section), `outline` (only an
    OUTLINE chunk holds it, with the gold section), `mismatch` (chunks hold it, none with the gold
    section), `missing` (no chunk of the file holds the quote)."""
    score = load_scorer(scorer or gold.parent / "score.py")
    chunks_of: dict[str, list] = {}
    records = []
    for line in gold.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        question = json.loads(line)
        for source in question.get("sources", []):
            file = source["file"]
            if file not in chunks_of:
                path = corpus / file
                raw = RawDocument(file=file, text=path.read_text("utf-8"), format="txt")
                normed = [
                    (c, score.norm(c.text)) for c in chunk_document(parse(raw), chunk_tokens, tokenizer)
                ]
                chunks_of[file] = normed
            quote = score.norm(source["quote"])
            key = score.gold_section_key(source["section"])
            holding = [c for c, text in chunks_of[file] if quote and quote in text]
            direct = [c for c in holding if c.kind in (BODY, TABLE)]
            outline = [c for c in holding if c.kind == OUTLINE]
            if any(score.section_matches(c.section, key) for c in direct):
                status = "body"
            elif not direct and any(score.section_matches(c.section, key) for c in outline):
                status = "outline"
            else:
                status = "mismatch" if holding else "missing"
            records.append(
                {
                    "id": question["id"],
                    "file": file,
                    "section": source["section"],
                    "quote": source["quote"],
                    "status": status,
                    "found": sorted({f"{c.kind}: {c.section}" for c in (direct or outline)}),
                }
            )
    return records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="gold jsonl (score.py beside it)")
    ap.add_argument("--scorer", type=Path, help="scorer module (default: score.py beside --gold)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    ap.add_argument("--chunk-tokens", type=int, default=320)
    ap.add_argument("--tokenizer", default="cl100k_base")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the totals")
    a = ap.parse_args(argv)
    if not a.gold.is_file():
        print(f"gold file {a.gold} not found; pass --gold PATH", file=sys.stderr)
        return 2
    records = measure(a.gold, a.corpus, a.scorer, a.chunk_tokens, a.tokenizer)
    for r in records:
        ok = r["status"] in ("body", "outline")
        if ok and a.quiet:
            continue
        mark = "ok  " if ok else "FAIL"
        print(f"{mark} {r['id']} {r['file'][:3]} [{r['status']}] {r['section']} | {r['quote'][:40]}")
        if not ok:
            for found in r["found"] or ["(no chunk contains the quote)"]:
                print(f"       found in {found}")
    aligned = sum(r["status"] in ("body", "outline") for r in records)
    by_outline = sum(r["status"] == "outline" for r in records)
    pct = 100.0 * aligned / len(records) if records else 0.0
    print(
        f"section alignment: {aligned}/{len(records)} = {pct:.1f}% "
        f"({aligned - by_outline} in body/table chunks, {by_outline} in outline chunks)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
