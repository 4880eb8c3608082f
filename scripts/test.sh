#!/usr/bin/env bash
# Runs every test tier whose prerequisites are present; prints one `skipped:` line per tier it skips.
set -u
cd "$(dirname "$0")/.."
BIN=.venv/bin
markers=()
tiers="fast real"

echo "== lint (ruff)"
$BIN/ruff check . || exit 1
$BIN/ruff format --check . || exit 1

if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then
  tiers="$tiers e2e"
else
  echo "skipped: e2e (no Chromium; enable with: apt-get install -y chromium)"
  markers+=("not e2e")
fi

if $BIN/python -c "import llama_cpp" 2>/dev/null && $BIN/python -c "from policyqa.llm_setup import default_model_path as p; import sys; sys.exit(0 if p('0.5b').exists() else 1)" 2>/dev/null; then
  tiers="$tiers llm"
else
  echo "skipped: llm (llama-cpp-python or the 0.5B model missing; enable with: bash scripts/setup_llm.sh 0.5b)"
  markers+=("not llm")
fi

expr=""
for m in "${markers[@]+"${markers[@]}"}"; do
  expr="${expr:+$expr and }$m"
done
echo "== tests ($tiers)"
if [ -n "$expr" ]; then
  $BIN/pytest -q -m "$expr" tests
else
  $BIN/pytest -q tests
fi
