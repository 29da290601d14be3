# The student's commands, shared by the instructor's Makefile and the handout's (both
# include this file after mk/venv.mk, and define IMPL, EX and TRACK: seed, advanced or all).

.PHONY: student-help test watch watch-deps hint reset submission train

# A command that fails ends make quietly, its own last line (what to do next) the last on
# the screen, and make's status still 1: kata/kit/quiet_exit.py says how.
QUIET_FAIL = || exec $(PY) -m kata.kit.quiet_exit

student-help:
	@echo "make test [EX=conv]                   run the public tests on exercises/, show your progress"
	@echo "make watch [EX=conv]                  the same, again after every save (make watch-deps once)"
	@echo "make hint EX=conv.backward [LEVEL=n]  one more hint each time (the idea, the shapes, the formula)"
	@echo "make reset EX=conv                    restore one stub (yours is kept as a timestamped backup)"
	@echo "make train [ARGS='--epochs 3 --data mnist --data-path DIR']"
	@echo "                                      train your CNN on real digits, plots in results/"
	@echo "make submission                       build submission.zip (your exercise files only) to hand in"

test: $(READY)
	@$(PY) -m kata.kit.progress --impl $(IMPL) --track $(TRACK) $(if $(EX),--ex $(EX)) $(QUIET_FAIL)

watch: $(READY)
	@$(PY) -m kata.kit.watch --impl $(IMPL) --track $(TRACK) $(if $(EX),--ex $(EX))

# watchdog is optional (pyproject.toml's [watch] extra): installed only on request.
watch-deps: $(READY)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['watch']))" > $(VENV)/requirements-watch.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements-watch.txt

hint: $(READY)
	@$(PY) -m kata.kit.hints $(EX) $(if $(LEVEL),--level $(LEVEL)) $(QUIET_FAIL)

reset: $(READY)
	@$(PY) -m kata.kit.reset $(EX) $(QUIET_FAIL)

submission: $(READY)
	@$(PY) -m kata.kit.submission --track $(TRACK) $(QUIET_FAIL)

ARGS ?=

train: $(READY)
	@$(PY) -m kata.kit.train --impl $(IMPL) $(ARGS) $(QUIET_FAIL)
