# Every target sets up .venv from pyproject.toml first (once, and again when it changes),
# so a fresh clone needs only python3 (>= 3.11) and make.

include mk/venv.mk
IMPL   ?= exercises
EX     ?=

.PHONY: help check exercises handout

help: student-help
	@echo "make test IMPL=solutions              the same tests on another folder with the same files"
	@echo "make handout                          build dist/handout/ and dist/handout.zip for students"
	@echo "make check                            the repository's own tests (what CI runs)"
	@echo "make exercises                        regenerate exercises/ from solutions/"

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
