"""Recall of the targets ledger against a gold set's numeric answer keys. Not a test.

    .venv/bin/python scripts/ledger_recall.py --gold ../shared/eval/dev.jsonl
    .venv/bin/python scripts/ledger_recall.py --gold eval/heldout/questions.jsonl --add-corpus eval/heldout/corpus

For every question of type number, target or compare, each *numeric* answer key is looked up in the
ledger rows of the question's source files: "in value" when a row's scope and value, or its
deadline words, hold it, or it is the row's period; "in sentence"
when a row's cited sentence does. A key is numeric when it holds a figure (a digit, or a Chinese
numeral of two or more characters, or one before a measure word that is not a count: 七日) or is
a goal without one (全覆盖, 零增长), and apart from that figure names little (at most 4 other CJK
characters): "50处以上" and "9月" are numeric, "2020年城市管理工作意见" is a title, "第十四条" an
ordinal.
The index is opened (built or updated when stale) as `policyqa eval --add-corpus` does.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import build  # noqa: E402
from index.cjk import fold_width  # noqa: E402
from index.target_rules import COUNT_UNITS, NUMBER  # noqa: E402
from policyqa import evaluate  # noqa: E402
from policyqa.settings import load_settings  # noqa: E402

TYPES = ("number", "target", "compare")
_FIGURE = re.compile(rf"\d|{NUMBER}")
_QUALITATIVE = ("全覆盖", "零增长")
_SMALL = set("一二两三四五六七八九")


def is_numeric(key: str) -> bool:
    """Whether an answer key states a figure (see the module docstring)."""
    key = fold_width(key)
    if re.match(r"第[\d零〇一二两三四五六七八九十百]+", key):
        return False  # 第十四条: an ordinal, not a figure
    if any(q in key for q in _QUALITATIVE):
        return True
    if re.search(r"\d", key):
        rest = re.sub(r"[\d.,%]", "", key)
    else:
        m = re.search(r"[零〇一二两三四五六七八九十百千万亿]+", key)
        if not m:
            return False
        unit = key[m.end() : m.end() + 1]
        if m.group(0) in _SMALL and (not unit or unit in COUNT_UNITS or unit in "包张级"):
            return False  # 门前三包, 一张网: a name with a numeral in it
        rest = key[: m.start()] + key[m.end() :]
    return len(re.findall(r"[\u4e00-\u9fff]", rest)) <= 4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", required=True)
    parser.add_argument("--add-corpus", action="append", default=[], metavar="DIR")
    args = parser.parse_args()
    settings = load_settings(None)
    settings = evaluate.with_added_corpus(settings, args.add_corpus)
    loaded, _ = build.ensure_fresh(settings)
    by_file: dict[str, list] = {}
    for row in loaded.targets:
        by_file.setdefault(row.file, []).append(row)
    keys = in_value = in_sentence = 0
    misses = []
    for line in Path(args.gold).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        if q.get("type") not in TYPES:
            continue
        files = {s["file"] for s in q.get("sources", [])}
        rows = [r for f in files for r in by_file.get(f, [])]
        for key in q.get("answers", []):
            if not is_numeric(key):
                continue
            keys += 1
            folded = fold_width(key)
            # a deadline key (9月) is a row's deadline words, as a figure is its value
            # (临波区35条 is a row's scope and value)
            value_hit = any(
                folded in fold_width(f"{r.scope}{r.value}")
                or (r.deadline_text and folded in fold_width(r.deadline_text))
                or folded == fold_width(r.period)
                for r in rows
            )
            sentence_hit = value_hit or any(folded in fold_width(r.sentence) for r in rows)
            in_value += value_hit
            in_sentence += sentence_hit
            if not value_hit:
                where = "in a sentence only" if sentence_hit else "in no row"
                misses.append(f"{q['id']}  {key!r:<16} {where}  ({', '.join(sorted(files))})")
    print(f"gold: {args.gold}  rows: {len(loaded.targets)}  numeric keys: {keys}")
    if keys:
        print(f"in value:    {in_value}/{keys} = {in_value / keys:.3f}")
        print(f"in sentence: {in_sentence}/{keys} = {in_sentence / keys:.3f}")
    for miss in misses:
        print("  miss " + miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
