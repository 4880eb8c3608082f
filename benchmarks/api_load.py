"""Load on the HTTP API: the app as `policyqa serve` runs it (UI + API, one process) on 127.0.0.1,
driven by concurrent clients on /v1/chat/completions. Not a test.

    .venv/bin/python benchmarks/api_load.py [--clients 20] [--requests 10] [--gold ../shared/eval/dev.jsonl] [--stream]

Uses the configured settings (policyqa.toml / POLICYQA_*; the index is built first if needed) on a
free port. Sends two sequential passes first (cold, then warm single-client latency), then `--clients`
threads each send `--requests` questions (taken round-robin from the gold file) as fast as they get
answers. Prints p50/p95/max latency in ms (and, for comparison, `Engine.ask` called in-process),
throughput, the errors by status and the machine's load average (other processes skew every figure).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

import app  # noqa: E402
from policyqa.engine_setup import open_engine  # noqa: E402
from policyqa.settings import load_settings  # noqa: E402
from policyqa.web.server import start_in_thread  # noqa: E402

FALLBACK = ["主干道机扫率要达到多少？", "全年新改建多少座公厕？", "厨余垃圾分出率要达到多少？"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _summary(ms: list[float]) -> str:
    if not ms:
        return "no successful requests"
    ms = sorted(ms)
    p95 = ms[max(0, int(round(0.95 * len(ms))) - 1)]
    return f"p50 {statistics.median(ms):7.1f}   p95 {p95:7.1f}   max {ms[-1]:7.1f}   (n={len(ms)})"


def _ask(http: httpx.Client, question: str, stream: bool) -> tuple[int, float]:
    body = {"model": "policyqa", "messages": [{"role": "user", "content": question}], "stream": stream}
    started = time.perf_counter()
    try:
        if stream:
            with http.stream("POST", "/v1/chat/completions", json=body) as reply:
                lines = [line for line in reply.iter_lines() if line]
                status = reply.status_code
                complete = lines and lines[-1] == "data: [DONE]" and not any('"error"' in x for x in lines)
                if status == 200 and not complete:
                    status = -1  # a stream that ended with an error event or without [DONE]
        else:
            reply = http.post("/v1/chat/completions", json=body)
            status = reply.status_code
            if status == 200 and "choices" not in reply.json():
                status = -1
    except httpx.HTTPError as exc:
        print(f"  {type(exc).__name__}: {exc}", file=sys.stderr)
        status = 0
    return status, 1000 * (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10, help="requests per client")
    parser.add_argument("--gold", default="../shared/eval/dev.jsonl")
    parser.add_argument("--stream", action="store_true", help="ask with stream: true")
    args = parser.parse_args()
    gold = Path(args.gold)
    questions = (
        [
            json.loads(line)["question"]
            for line in gold.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        if gold.exists()
        else FALLBACK
    )

    settings = load_settings().with_changes(host="127.0.0.1", port=_free_port())
    started = time.perf_counter()
    server = start_in_thread(
        settings,
        lambda progress: open_engine(settings, progress),
        build_ui=lambda engine: app.server_ui(engine, settings),
    )
    server.wait_ready(timeout=1800)
    engine = server.state.library.engine
    print(
        f"server {server.url}: ready in {time.perf_counter() - started:.1f} s, "
        f"{len(engine.documents)} documents, {len(engine.index.chunks)} passages, embedder {settings.embedder}"
    )
    try:
        with httpx.Client(base_url=server.url, timeout=120) as http:
            cold = [
                _ask(http, q, args.stream) for q in questions
            ]  # also loads lazy parts (English dictionary…)
            warm = [_ask(http, q, args.stream) for q in questions]
        print(f"1 client, first pass (cold):  {_summary([ms for s, ms in cold if s == 200])}")
        print(f"1 client, second pass (warm): {_summary([ms for s, ms in warm if s == 200])}")
        direct = []
        for q in questions:  # the same answers without HTTP: what the API adds is the difference
            began = time.perf_counter()
            engine.ask(q)
            direct.append(1000 * (time.perf_counter() - began))
        print(f"Engine.ask in-process, 1 caller: {_summary(direct)}")

        results: list[tuple[int, float]] = []
        lock = threading.Lock()

        def client(n: int) -> None:
            with httpx.Client(base_url=server.url, timeout=120) as http:
                for i in range(args.requests):
                    outcome = _ask(http, questions[(n * args.requests + i) % len(questions)], args.stream)
                    with lock:
                        results.append(outcome)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - began
        ok = [ms for status, ms in results if status == 200]
        errors = Counter(status for status, _ in results if status != 200)
        print(
            f"{args.clients} clients x {args.requests} requests{' (stream)' if args.stream else ''}: "
            f"{_summary(ok)}   {len(results) / seconds:.1f} req/s"
        )
        print(f"errors: {sum(errors.values())}" + (f" {dict(errors)}" if errors else ""))
        # Other processes on the machine change every figure above: say how busy it was.
        print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
