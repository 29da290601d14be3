# Every target sets up .venv from pyproject.toml first (once, and again when it changes),
# so a fresh clone needs only python3 (>= 3.11) and make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.installed
IMPL   ?= exercises
EX     ?=

.PHONY: help test check exercises reset grade bench-grader

help:
	@echo "make test [EX=conv] [IMPL=solutions]   run the public tests on your exercises/"
	@echo "make check                             the repository's own tests (what CI runs)"
	@echo "make exercises                         regenerate exercises/ from solutions/"
	@echo "make reset EX=conv                     restore a stub (your file is kept as a backup)"
	@echo "make grade [SUBS='a.zip b/'] [OUT=results]  grade submissions (default: the example class)"
	@echo "make bench-grader                      submissions per minute and the sandbox's overhead"

# The project itself is never pip-installed: only its pinned dependencies are, so the
# grader's sandboxed worker, which runs this interpreter, cannot import kata/ or grader/.
$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $@

test: $(READY)
	$(PY) -m pytest tests/public --impl $(IMPL) $(if $(EX),--ex $(EX))

exercises: $(READY)
	$(PY) -m kata.stubgen

# EX=conv.backward names an exercise; its file (conv) is what gets restored.
reset: $(READY)
	@test -n "$(EX)" || { echo "usage: make reset EX=<file>, e.g. make reset EX=conv"; exit 2; }
	$(PY) -m kata.stubgen --force $(firstword $(subst ., ,$(EX)))

check: $(READY)
	$(PY) -m kata.stubgen --check
	$(PY) -m pytest -q tests/public tests/hidden --impl solutions
	$(PY) -m pytest -q tests/public tests/hidden --impl exercises --expect-stubs
	$(PY) -m pytest -q tests/tooling
	$(PY) -m grader.example_class --check
	$(PY) -m pytest -q grader/tests

OUT  ?= results
SUBS ?=

grade: $(READY)
	$(PY) -m grader grade $(SUBS) --out $(OUT)

bench-grader: $(READY)
	$(PY) -m grader.bench
