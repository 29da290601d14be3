# The student's commands, shared by the instructor's Makefile and the handout's (both
# include this file and define PY, READY, IMPL and EX first).

.PHONY: test watch watch-deps hint reset submission

test: $(READY)
	@$(PY) -m kata.progress --impl $(IMPL) $(if $(EX),--ex $(EX))

watch: $(READY)
	@$(PY) -m kata.watch --impl $(IMPL) $(if $(EX),--ex $(EX))

# watchdog is optional (pyproject.toml's [watch] extra): installed only on request.
watch-deps: $(READY)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['watch']))" > $(VENV)/requirements-watch.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements-watch.txt

hint: $(READY)
	@$(PY) -m kata.hints $(EX) $(if $(LEVEL),--level $(LEVEL))

reset: $(READY)
	@$(PY) -m kata.reset $(EX)

submission: $(READY)
	@$(PY) -m kata.submission
