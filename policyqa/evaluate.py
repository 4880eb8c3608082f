"""`policyqa eval`: answer a gold set, score it with the gold set's own scorer, print the figures.

The scorer (score.py beside the gold file) is called as a program, never copied, so the numbers
printed here are the numbers anyone else computes. `--baseline` scores what a user would build in
a few lines (LangChain RecursiveCharacterTextSplitter(500, 50) + the same embedder + FAISS top-k)
with the same scorer, side by side.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from policyqa.batch import read_questions, run_batch
from policyqa.errors import PolicyQAError
from policyqa.settings import Settings

METRICS = (
    "hit@1",
    "hit@3",
    "hit@5",
    "hit@10",
    "any_hit@5",
    "mrr",
    "section@5",
    "answer_keys",
    "citation_valid",
    "citation_recall",
    "citation_precision",
    "refusal_acc",
    "false_refusal",
)


def _score(scorer: Path, gold: Path, predictions: Path, corpus: Path) -> dict:
    out = predictions.with_suffix(".metrics.json")
    proc = subprocess.run(
        [
            sys.executable,
            str(scorer),
            str(gold),
            str(predictions),
            "--corpus",
            str(corpus),
            "--json",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise PolicyQAError(f"the scorer {scorer} failed: {proc.stderr.strip()[-500:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _scorer_table(scorer: Path, gold: Path, predictions: Path, corpus: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(scorer), str(gold), str(predictions), "--corpus", str(corpus)],
        capture_output=True,
        text=True,
    )
    return proc.stdout


def _answer_lengths(gold_rows: list[dict], predictions: Path) -> dict[str, float]:
    """Median answer length (characters) per question type."""
    types = {row["id"]: row.get("type", "?") for row in gold_rows}
    lengths: dict[str, list[int]] = {}
    for line in predictions.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["id"] in types and not row["refused"]:
            lengths.setdefault(types[row["id"]], []).append(len(row["answer"]))
    return {t: statistics.median(v) for t, v in sorted(lengths.items())}


def _scorer_path(gold: Path, scorer: str | None) -> Path:
    if not gold.exists():
        raise PolicyQAError(f"gold file {gold} does not exist")
    path = Path(scorer) if scorer else gold.with_name("score.py")
    if not scorer and not path.exists():
        path = Path("../shared/eval/score.py")  # the shared gold set's scorer, for gold sets kept in the repo
    if not path.exists():
        raise PolicyQAError(f"scorer {path} not found: pass --scorer PATH/score.py")
    return path


def score_engine(
    engine, gold: Path, folder: Path, scorer: str | None = None
) -> tuple[dict, Path, list[float]]:
    """Answer the gold set with `engine` and score it with the gold set's scorer.

    Returns (metrics, predictions file, seconds per question)."""
    scorer_path = _scorer_path(gold, scorer)
    predictions = folder / "policyqa.predictions.jsonl"
    first_tokens: list[float] = []
    timings = run_batch(engine, read_questions(gold), predictions, engine.settings.k, first_tokens)
    corpus = Path(engine.settings.corpus).resolve()
    metrics = _score(scorer_path, gold, predictions, corpus)["metrics"]
    if first_tokens:
        metrics["mean_first_token_s"] = statistics.mean(first_tokens)
    return metrics, predictions, timings


def run(
    engine, gold: Path, scorer: str | None = None, baseline: bool = False, keep: str | None = None
) -> str:
    """Run the gold set through `engine` (and the baseline), return the printable report."""
    scorer_path = _scorer_path(gold, scorer)
    questions = read_questions(gold)
    corpus = Path(engine.settings.corpus).resolve()
    folder = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="policyqa-eval-"))
    folder.mkdir(parents=True, exist_ok=True)
    ours, predictions, timings = score_engine(engine, gold, folder, scorer)
    columns = {"policyqa": ours}
    # The dev set is split by id parity: rules are tuned on one half and checked on the other.
    for half, rows in split_halves(questions).items():
        if rows and len(rows) < len(questions):
            half_gold = folder / f"gold.{half}.jsonl"
            half_gold.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
            )
            columns[half] = _score(scorer_path, half_gold, predictions, corpus)["metrics"]
    if baseline:
        base_predictions = folder / "baseline.predictions.jsonl"
        run_baseline(engine, questions, base_predictions, engine.settings.k)
        columns["baseline"] = _score(scorer_path, gold, base_predictions, corpus)["metrics"]

    lines = [_scorer_table(scorer_path, gold, predictions, corpus).rstrip(), ""]
    lines.append(f"{'metric':<20}" + "".join(f"{name:>12}" for name in columns))
    for metric in METRICS:
        cells = "".join(f"{_fmt(col.get(metric)):>12}" for col in columns.values())
        lines.append(f"{metric:<20}{cells}")
    lines.append("hit@5 by type:")
    for qtype in ours.get("by_type", {}):
        cells = "".join(f"{_fmt(col['by_type'].get(qtype, {}).get('hit@5')):>12}" for col in columns.values())
        lines.append(f"  {qtype:<18}{cells}")
    lines.append("median answer length (chars) by type:")
    for qtype, median in _answer_lengths(questions, predictions).items():
        lines.append(f"  {qtype:<18}{median:>12.0f}")
    if "mean_first_token_s" in ours:
        lines.append(
            f"LLM mode: mean time to first token {ours['mean_first_token_s']:.1f} s, "
            f"mean total answer time {statistics.mean(timings):.1f} s"
        )
    timings.sort()
    lines.append(
        f"questions {len(questions)}; answer time p50 {1000 * timings[len(timings) // 2]:.0f} ms, "
        f"p95 {1000 * timings[int(len(timings) * 0.95) - 1]:.0f} ms (warm, includes retrieval and composition)"
    )
    lines.append(f"predictions kept in {folder}")
    return "\n".join(lines)


def split_halves(questions: list[dict]) -> dict[str, list[dict]]:
    """Gold rows split by the parity of the number in their id: even ids *tune*, odd ids *check*."""
    halves: dict[str, list[dict]] = {"tune": [], "check": []}
    for row in questions:
        digits = "".join(ch for ch in str(row.get("id", "")) if ch.isdigit())
        if digits:
            halves["tune" if int(digits) % 2 == 0 else "check"].append(row)
    return halves


def with_added_corpus(settings: Settings, extra: list[str | Path]) -> Settings:
    """`settings` over its corpus plus the `extra` folders (see `combined_corpus`); unchanged if none."""
    if not extra:
        return settings
    corpus, index = combined_corpus(Path(settings.corpus), [Path(p) for p in extra], Path(".policyqa/eval"))
    return settings.with_changes(corpus=corpus, index=index)


def combined_corpus(base: Path, extra: list[Path], workdir: Path) -> tuple[Path, Path]:
    """A corpus folder holding `base` and every `extra` folder's documents (copies), and its own
    index folder, both under `workdir` keyed by the folders' names, so reruns update incrementally."""
    import hashlib
    import shutil

    from index import load

    folders = [base, *extra]
    key = hashlib.sha256("\n".join(str(f.resolve()) for f in folders).encode()).hexdigest()[:12]
    root = workdir / key
    corpus = root / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for folder in folders:
        if not folder.is_dir():
            raise PolicyQAError(f"--add-corpus {folder}: not a folder")
        for path in load.list_corpus(folder):
            name = path.relative_to(folder).as_posix()
            if name in wanted and wanted[name].read_bytes() != path.read_bytes():
                raise PolicyQAError(
                    f"{path}: a different file named {name} is already in {wanted[name].parent}"
                )
            wanted[name] = path
    for name, path in wanted.items():
        target = corpus / name
        if not target.exists() or target.read_bytes() != path.read_bytes():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    for path in load.list_corpus(corpus):
        if path.relative_to(corpus).as_posix() not in wanted:
            path.unlink()
    return corpus, root / "index"


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def run_baseline(engine, questions: list[dict], out: Path, k: int) -> None:
    """The few-lines baseline: character splitter, same embedder, flat FAISS, top-k passages."""
    import numpy as np
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index import load, vector_index

    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    corpus = Path(engine.settings.corpus)
    texts, files = [], []
    for path in load.list_corpus(corpus):
        raw = load.read_document(path, corpus)
        for piece in splitter.split_text(raw.text):
            texts.append(piece)
            files.append(raw.file)
    vectors = engine.embedder.passages(texts)
    index = vector_index.build(np.asarray(vectors), kind="flat")
    with out.open("w", encoding="utf-8") as fh:
        for row in questions:
            scores, ids = vector_index.search(index, engine.embedder.query(row["question"]), max(k, 10))
            passages = [
                {"file": files[i], "section": "", "text": texts[i], "score": float(s)}
                for s, i in zip(scores[0], ids[0], strict=True)
                if i >= 0
            ]
            top = passages[0] if passages else None
            record = {
                "id": row["id"],
                "answer": top["text"] if top else "",
                "refused": False,
                "citations": [{"file": top["file"], "section": "", "quote": top["text"]}] if top else [],
                "passages": passages,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
