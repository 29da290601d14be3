# Every target sets up .venv from pyproject.toml first (once, and again when it changes),
# so a fresh clone needs only python3 (>= 3.11) and make.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.installed
IMPL   ?= exercises
EX     ?=

.PHONY: help check exercises handout

help:
	@echo "make test [EX=conv] [IMPL=solutions]   run the public tests on your exercises/, show your progress"
	@echo "make watch [EX=conv]                   the same, again after every save (make watch-deps once)"
	@echo "make hint EX=conv.backward [LEVEL=n]   one more hint each time (the idea, the shapes, the formula)"
	@echo "make reset EX=conv                     restore one stub (yours is kept as a timestamped backup)"
	@echo "make submission                        build submission.zip (your exercise files only)"
	@echo "make handout                           build dist/handout/ and dist/handout.zip for students"
	@echo "make check                             the repository's own tests (what CI runs)"
	@echo "make exercises                         regenerate exercises/ from solutions/"

# The project itself is never pip-installed: only its pinned dependencies are, so the
# grader's sandboxed worker, which runs this interpreter, cannot import kata/ or grader/.
$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $@

include mk/student.mk

exercises: $(READY)
	$(PY) -m kata.stubgen

check: $(READY)
	$(PY) -m kata.stubgen --check
	$(PY) -m pytest -q tests/public tests/hidden --impl solutions
	$(PY) -m pytest -q tests/public tests/hidden --impl exercises --expect-stubs
	$(PY) -m pytest -q tests/tooling

handout: $(READY)
	$(PY) -m kata.handout
