# Every target sets up .venv from pyproject.toml first (once, and again when it changes),
# so a fresh clone needs only python3 (>= 3.11) and make.

include mk/venv.mk
.DEFAULT_GOAL := help

# pyproject.toml's extras: the grader's (copydetect, for grade --similarity) and the authors'
# (mutmut, for make mutation), which the handout leaves out, and the optional `watch`
# (watchdog), so that make check tests make watch with it too.
EXTRAS_READY := $(if $(READY),$(VENV)/.extras-installed)
$(VENV)/.extras-installed: $(READY)
	$(PY) -c "import tomllib; extras = tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']; print('\n'.join(extras['grader'] + extras['dev'] + extras['watch']))" > $(VENV)/extras-requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/extras-requirements.txt
	touch $@
IMPL   ?= exercises
EX     ?=
# The track assigned: seed, advanced or all (make test, handout, grade, gradescope).
TRACK  ?= all

.PHONY: help check exercises handout gradescope prairielearn grade bench-grader bench-train bench mutation

help: student-help
	@echo "make test IMPL=solutions              the same tests on another folder with the same files"
	@echo "make handout                          build dist/handout/ and dist/handout.zip for students"
	@echo "make gradescope [HIDDEN_VISIBILITY=after_published] [DEADLINE=540] [TIMEOUT=10] [LEADERBOARD=1]  build dist/autograder.zip"
	@echo "make prairielearn [TRACK=seed] [DEADLINE=540] [TIMEOUT=10]  build dist/prairielearn/ (image, entrypoint, info.json)"
	@echo "make check                            the repository's own tests (what CI runs)"
	@echo "make exercises                        regenerate exercises/ from solutions/"
	@echo "make bench                            time the reference layers (ratios, GFLOP/s, PyTorch if installed)"
	@echo "make bench-train                      the reference CNN's speed and accuracy (vs PyTorch if installed)"
	@echo "make grade [SUBS='a.zip b/'] [OUT=results] grade submissions (default: the example class)"
	@echo "make bench-grader                     submissions per minute and the sandbox's overhead"
	@echo "make mutation [FILES='softmax conv']  mutants of solutions/ the hidden suite kills (slow)"

include mk/student.mk

exercises: $(READY)
	$(PY) -m authoring.stubgen

# The tooling and grading suites run side by side (each waits on subprocesses much of the
# time); --output-sync prints each one's output whole when it ends.
check: $(READY) $(EXTRAS_READY)
	$(PY) -m authoring.stubgen --check
	$(PY) -m pytest -q tests/public tests/hidden --impl solutions
	$(PY) -m pytest -q tests/public tests/hidden --impl exercises --expect-stubs
	@$(MAKE) --no-print-directory -j2 --output-sync=target check-tooling check-grading

.PHONY: check-tooling check-grading
check-tooling:
	$(PY) -m pytest -q tests/tooling
check-grading:
	$(PY) -m pytest -q tests/grading

OUT  ?= results
# The example class is generated from solutions/ and the bug catalogue, never committed.
EXAMPLE_CLASS := build/examples
SUBS ?=

$(EXAMPLE_CLASS)/.built: $(READY) $(wildcard solutions/*.py) authoring/bugs.py authoring/example_class.py
	$(PY) -m authoring.example_class --out $(EXAMPLE_CLASS)
	touch $@

grade: $(READY) $(EXTRAS_READY) $(EXAMPLE_CLASS)/.built
	$(PY) -m grader grade $(if $(SUBS),$(SUBS),$(EXAMPLE_CLASS)/*/) --out $(OUT) --track $(TRACK)

bench-grader: $(READY)
	$(PY) -m authoring.bench_grader

handout: $(READY)
	$(PY) -m authoring.handout --track $(TRACK)

# Gradescope: hidden tests' visibility (hidden, after_due_date, after_published, visible)
# and the autograder's own deadline in seconds, below the assignment's Gradescope limit;
# Gradescope and PrairieLearn: seconds per call into a student's code (no reference there to
# calibrate against, as `make grade` does).
HIDDEN_VISIBILITY ?= after_published
DEADLINE          ?= 540
TIMEOUT           ?=

gradescope: $(READY)
	$(PY) -m grader.gradescope build --hidden-visibility $(HIDDEN_VISIBILITY) --deadline $(DEADLINE) --track $(TRACK) \
		$(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(filter 1 yes true,$(LEADERBOARD)),--leaderboard)

prairielearn: $(READY)
	$(PY) -m grader.prairielearn build --deadline $(DEADLINE) --track $(TRACK) $(if $(TIMEOUT),--timeout $(TIMEOUT))

# Slow (minutes per file on 2 cores), so not part of `make check`: FILES="softmax conv" for some.
FILES ?=
mutation: $(EXTRAS_READY)
	$(PY) -m authoring.mutation $(FILES)

bench-train: $(READY)
	$(PY) -m authoring.bench_train

bench: $(READY)
	$(PY) -m authoring.bench
