# Two commands on a fresh machine:  `make run` (install, build the index, start the app)
# and `make test` (install, run every test tier whose prerequisites are present).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run index test lint llm clean-index

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing policyqa into $(VENV) (first time only)..."
	@# torch first, pinned to the CPU wheel: otherwise a dependency pulls a multi-GB CUDA build.
	$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,openai]'
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

run: install
	$(BIN)/policyqa serve

index: install
	$(BIN)/policyqa index

test: install
	@bash scripts/test.sh

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Optional: local LLM answers (builds llama-cpp-python once per machine, assembles the model).
llm: install
	bash scripts/setup_llm.sh 1.5b

clean-index:
	rm -rf .policyqa/index
