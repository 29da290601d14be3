# Every target sets up .venv from pyproject.toml first (once, and again when it changes),
# so a fresh clone needs only python3 (>= 3.11) and make.

include mk/venv.mk
IMPL   ?= exercises
EX     ?=

.PHONY: help check exercises handout gradescope grade bench-grader train bench-train bench

help: student-help
	@echo "make test IMPL=solutions              the same tests on another folder with the same files"
	@echo "make train [IMPL=solutions] [ARGS='--epochs 3 --data mnist --data-path DIR']"
	@echo "                                      train your CNN, plots in results/"
	@echo "make handout                          build dist/handout/ and dist/handout.zip for students"
	@echo "make gradescope [HIDDEN_VISIBILITY=after_published] [DEADLINE=540]  build dist/autograder.zip"
	@echo "make check                            the repository's own tests (what CI runs)"
	@echo "make exercises                        regenerate exercises/ from solutions/"
	@echo "make bench                            time the reference layers (ratios, GFLOP/s, PyTorch if installed)"
	@echo "make bench-train                      the reference CNN's speed and accuracy (vs PyTorch if installed)"
	@echo "make grade [SUBS='a.zip b/'] [OUT=results] grade submissions (default: the example class)"
	@echo "make bench-grader                     submissions per minute and the sandbox's overhead"

include mk/student.mk

exercises: $(READY)
	$(PY) -m kata.stubgen

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

handout: $(READY)
	$(PY) -m kata.handout

# Gradescope: hidden tests' visibility (hidden, after_due_date, after_published, visible)
# and the autograder's own deadline in seconds, below the assignment's Gradescope limit.
HIDDEN_VISIBILITY ?= after_published
DEADLINE          ?= 540

gradescope: $(READY)
	$(PY) -m grader.gradescope build --hidden-visibility $(HIDDEN_VISIBILITY) --deadline $(DEADLINE)

ARGS ?=

train: $(READY)
	$(PY) -m kata.train --impl $(IMPL) $(ARGS)

bench-train: $(READY)
	$(PY) -m kata.bench_train

bench: $(READY)
	$(PY) -m kata.bench
