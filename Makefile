# perm-reward: the two commands of the README are `make run` and `make test`.
# Each sets up .venv/ first, only as far as it needs (idempotent; re-runs only when the set-up
# inputs change): `make run` the scoring set-up (no torch, seconds to minutes), `make test`
# everything the test tiers use (torch, every extra, llama.cpp, Chromium, the verl venv).
PY := .venv/bin/python
SETUP_INPUTS := scripts/setup.sh pyproject.toml constraints.txt
RUN_STAMP := .venv/.perm-setup-run
TEST_STAMP := .venv/.perm-setup-test
PYTEST_ARGS ?=

.PHONY: setup setup-run run test test-fast lint bench clean
setup: $(TEST_STAMP)
setup-run: $(RUN_STAMP)
$(RUN_STAMP): $(SETUP_INPUTS)
	bash scripts/setup.sh run
	touch $@
$(TEST_STAMP): $(RUN_STAMP)
	bash scripts/setup.sh test
	touch $@

## The main job on the embedded default judge: score the example outputs offline.
run: $(RUN_STAMP)
	mkdir -p out
	.venv/bin/perm score examples/samples.jsonl -o out/scored.jsonl

## Every test tier that this machine can run (fast, integration with llama.cpp, slow, browser).
test: $(TEST_STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS)

## Only the fast hermetic tier.
test-fast: $(TEST_STAMP)
	$(PY) -m pytest -q -m "not integration and not slow and not browser" $(PYTEST_ARGS)

## Lint and type-check (what CI runs before the tests).
lint: $(TEST_STAMP)
	$(PY) -m ruff check src tests
	$(PY) -m mypy --strict src/perm

bench: $(TEST_STAMP)
	$(PY) -m bench.run --quick

clean:
	rm -rf .venv out .pytest_cache
