#!/usr/bin/env bash
# PrairieLearn's external grader runs this in the image for every submission: the job's
# files are in /grade (student/ holds the submitted files), the result goes to
# /grade/results/results.json. KATA_GRADE_ROOT replaces /grade (the tests simulate a root
# elsewhere), KATA_PYTHON the interpreter the image's venv holds.
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="${KATA_GRADE_ROOT:-/grade}"
PY="${KATA_PYTHON:-$HERE/.venv/bin/python}"
RESULTS="$ROOT/results/results.json"

cd "$HERE" && "$PY" -m grader.prairielearn run --root "$ROOT"
status=$?
# The Python side always writes results.json; this covers the case where it could not start.
if [ ! -s "$RESULTS" ]; then
    mkdir -p "$ROOT/results"
    printf '{"gradable": false, "score": 0, "message": "The grader could not start (exit status %s). Please tell your instructor.", "tests": []}\n' \
        "$status" > "$RESULTS"
fi
exit 0
