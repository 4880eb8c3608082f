#!/usr/bin/env python3
"""How much a gold set's figures drop when the corpus grows, split by whether a question names
its document's place.

Usage:
    python scripts/growth_report.py GOLD BASE_DIR GROWN_DIR EVAL_DIR

BASE_DIR and GROWN_DIR are `policyqa eval --keep` folders (predictions over the base corpus and
over the base corpus plus `scripts/grow_corpus.py` variants); EVAL_DIR is the base run's eval
folder (`.policyqa/eval/<hash>`, printed by `policyqa eval`), whose documents tell which places
a question names.

Why split: a variant carries an invented place but otherwise repeats its source document, often
word for word. A question that names its place can still tell them apart; one that does not
("which document says …") is answered equally well by the variant, and its drop measures the variants,
not the product.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

METRICS = ("hit@1", "hit@5", "section@5", "answer_keys", "refusal_acc", "false_refusal")
SCORER = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "score.py"


def _score(gold: list[dict], predictions: Path) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        f.writelines(json.dumps(g, ensure_ascii=False) + "\n" for g in gold)
    out = subprocess.run(
        [sys.executable, str(SCORER), f.name, str(predictions), "--json", "-", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)["metrics"]


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__)
        return 2
    gold_path, base_dir, grown_dir, eval_dir = (Path(a) for a in argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from policyqa.settings import load_settings
    from retrieval.pipeline import Engine

    settings = replace(load_settings(), corpus=eval_dir / "corpus", index=eval_dir / "index")
    engine, _ = Engine.open(settings, allow_stale=True)
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    named = [g for g in gold if engine.retriever.analyse(g["question"]).places]
    groups = (
        ("all", gold),
        ("names its place", named),
        ("names no place", [g for g in gold if g not in named]),
    )
    for name, questions in groups:
        if not questions:
            continue
        base = _score(questions, base_dir / "policyqa.predictions.jsonl")
        grown = _score(questions, grown_dir / "policyqa.predictions.jsonl")
        cells = []
        for metric in METRICS:
            a, b = base.get(metric), grown.get(metric)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                cells.append(f"{metric} {a:.3f}->{b:.3f} ({b - a:+.3f})")
        print(f"{name} ({len(questions)} q): " + "  ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
