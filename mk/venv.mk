# .venv with exactly the pinned dependencies of pyproject.toml, (re)made when it changes,
# so a fresh checkout needs only python3 (>= 3.11) and make. Shared by the instructor's
# Makefile and the students' handout.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
READY  := $(VENV)/.installed

# `make bench PY=/some/venv/bin/python`: another interpreter with its own packages (PyTorch,
# say). Nothing to set up then, and .venv is left alone.
ifeq ($(origin PY),command line)
READY  :=
else

# The project itself is never pip-installed: only its pinned dependencies are, so the
# grader's sandboxed worker, which runs this interpreter, cannot import kata/ or grader/.
# The set-up says what it does and how long it takes: a first `make test` would otherwise
# sit silent for minutes (about 100 MB to download, 450 MB installed; pip shows each package).
$(READY): pyproject.toml
	@start=$$(date +%s); \
	echo "Setting up $(VENV)/, the packages pinned in pyproject.toml (once, and again when it"; \
	echo "changes): usually 1 to 3 minutes, about 100 MB to download; nothing outside this folder."; \
	echo "[1/2] $(PYTHON) -m venv $(VENV)"; \
	$(PYTHON) -m venv $(VENV) && \
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > $(VENV)/requirements.txt && \
	echo "[2/2] pip install $$(tr '\n' ' ' < $(VENV)/requirements.txt)" && \
	$(PY) -m pip install --disable-pip-version-check --progress-bar on -r $(VENV)/requirements.txt && \
	touch $@ && \
	echo "$(VENV)/ is ready after $$(( $$(date +%s) - start )) s; from now on every command starts at once."
endif
