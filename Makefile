# perm-reward: the two commands of the README are `make run` and `make test`.
# Both set up .venv/ first (idempotent; re-runs only when the set-up inputs change).
PY := .venv/bin/python
STAMP := .venv/.perm-setup-done
PYTEST_ARGS ?=

.PHONY: setup run test test-fast lint bench clean
setup: $(STAMP)
$(STAMP): scripts/setup.sh pyproject.toml constraints.txt
	bash scripts/setup.sh
	touch $(STAMP)

## The main job on the embedded default judge: score the example outputs offline.
run: setup
	mkdir -p out
	.venv/bin/perm score examples/samples.jsonl -o out/scored.jsonl

## Every test tier that this machine can run (fast, integration with llama.cpp, slow, browser).
test: setup
	$(PY) -m pytest -q $(PYTEST_ARGS)

## Only the fast hermetic tier.
test-fast: setup
	$(PY) -m pytest -q -m "not integration and not slow and not browser" $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check src tests

bench: setup
	$(PY) -m bench.run --quick

clean:
	rm -rf .venv out .pytest_cache
