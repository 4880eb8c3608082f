"""Every gold quote of dev.jsonl lies in a chunk that carries the gold section (section@5 rule).

Needs no model; it lives in tests/real because it reads the gold set in ../shared/eval."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.real

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT.parent / "shared" / "eval" / "dev.jsonl"


def _script():
    spec = importlib.util.spec_from_file_location(
        "section_alignment", ROOT / "scripts" / "section_alignment.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not GOLD.is_file(), reason=f"gold set {GOLD} is absent (shared/ is not beside the repo)")
def test_every_gold_source_is_section_aligned():
    records = _script().measure(GOLD, ROOT / "corpus")
    assert len(records) >= 90
    failures = [r for r in records if r["status"] not in ("body", "outline")]
    assert not failures, "\n".join(
        f"{r['id']} {r['file']} [{r['status']}] {r['section']} | {r['quote']} -> {r['found']}"
        for r in failures
    )
    # most quotes are answered from body/table text, not only from outlines
    assert sum(r["status"] == "body" for r in records) >= 0.8 * len(records)
