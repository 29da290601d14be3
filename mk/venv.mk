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
$(READY): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > $(VENV)/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r $(VENV)/requirements.txt
	touch $@
endif
