"""A random sample of ledger rows to read and judge by hand (precision of the targets ledger). Not a test.

    .venv/bin/python scripts/ledger_sample.py --n 60 --seed 7
    .venv/bin/python scripts/ledger_sample.py --n 60 --seed 7 --add-corpus eval/heldout/corpus

Prints each row's fields and its sentence, numbered, for a reader to mark: a real target? subject,
value, deadline and responsible units right? Use a new seed after fixing the extractor, so the
figure reported is not read off rows the fixes were made for.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import build  # noqa: E402
from policyqa import evaluate  # noqa: E402
from policyqa.settings import load_settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--add-corpus", action="append", default=[], metavar="DIR")
    args = parser.parse_args()
    settings = load_settings(None)
    settings = evaluate.with_added_corpus(settings, args.add_corpus)
    rows = list(build.ensure_fresh(settings)[0].targets)
    sample = random.Random(args.seed).sample(rows, min(args.n, len(rows)))
    print(f"{len(sample)} of {len(rows)} rows, seed {args.seed}")
    for k, r in enumerate(sample, 1):
        print(f"\n#{k} {r.id} [{r.kind}/{r.source}] {r.section}")
        print(f"   subject={r.subject!r} value={r.value!r} qualifier={r.qualifier!r} scope={r.scope!r}")
        print(
            f"   period={r.period!r} deadline={r.deadline!r} ({r.deadline_text!r}) responsible={'、'.join(r.responsible)!r}"
        )
        print(f"   “{' '.join(r.sentence.split())[:220]}”")
    return 0


if __name__ == "__main__":
    sys.exit(main())
