"""Points: from the trusted side's own list of collected tests, and nothing else.

Each exercise's points (kata/exercises.py) are split among its hidden tests by their
marker weights: a test of weight w in an exercise whose tests weigh W in total is worth
points * w / W. A test earns its share only with an explicit "passed" record from the
grading run; a test that crashed, timed out, was killed or left no record scores 0. Exit
codes and the student's output are never read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from kata.exercises import EXERCISES, Exercise


@dataclass(frozen=True)
class TestCase:
    nodeid: str
    exercise: str
    weight: Fraction


@dataclass
class ExerciseScore:
    exercise: Exercise
    score: Fraction = Fraction(0)
    max_score: Fraction = Fraction(0)
    failures: list[str] = field(default_factory=list)  # student-facing messages, one per failed check
    passed: int = 0
    total: int = 0


def load_collected(path: Path) -> list[TestCase]:
    """The collection written by the plugin's --grader-collect (trusted: no student code ran)."""
    return [TestCase(t["nodeid"], t["exercise"], Fraction(t["weight"]).limit_denominator(1000))
            for t in json.loads(path.read_text())]


@dataclass
class Outcomes:
    tests: dict[str, tuple[bool, str]] = field(default_factory=dict)  # nodeid -> (passed, message)
    banned: dict[str, str] = field(default_factory=dict)  # file -> banned module it tried at run time
    leaderboard: dict[str, tuple[float, str]] = field(default_factory=dict)  # name -> (value, "asc"/"desc")


def load_outcomes(path: Path) -> Outcomes:
    """The JSON lines of a grading run.

    Missing file or broken lines mean no record (score 0). A test recorded more than once
    counts as passed only if every record says so.
    """
    outcomes = Outcomes()
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return outcomes
    for line in lines:
        try:
            record = json.loads(line)
            if "banned" in record:
                outcomes.banned.setdefault(str(record["banned"]), str(record["module"]))
                continue
            if "leaderboard" in record:
                outcomes.leaderboard[str(record["leaderboard"])] = (float(record["value"]), str(record["order"]))
                continue
            nodeid, passed, message = record["nodeid"], record["passed"] is True, str(record["message"])
        except (ValueError, KeyError, TypeError):
            continue
        before = outcomes.tests.get(nodeid, (True, ""))
        outcomes.tests[nodeid] = (before[0] and passed, message or before[1])
    return outcomes


def score(collected: list[TestCase], outcomes: dict[str, tuple[bool, str]],
          zeroed: dict[str, str]) -> list[ExerciseScore]:
    """Per exercise that has collected tests, in registry order (a run of one track's tests
    scores that track's exercises only).

    zeroed: module name -> reason (missing file, banned import): its exercises score 0
    whatever the records say, with the reason as their one failure.
    """
    judged = {test.exercise for test in collected}
    results = {exercise.id: ExerciseScore(exercise) for exercise in EXERCISES if exercise.id in judged}
    weights: dict[str, Fraction] = {}
    for test in collected:
        weights[test.exercise] = weights.get(test.exercise, Fraction(0)) + test.weight
    for test in collected:
        result = results[test.exercise]
        result.max_score = Fraction(result.exercise.points)
        result.total += 1
        passed, message = outcomes.get(test.nodeid, (False, "the test did not finish (crash or time limit)"))
        if result.exercise.module in zeroed:
            continue
        if passed:
            result.passed += 1
            result.score += result.exercise.points * test.weight / weights[test.exercise]
        elif message not in result.failures:
            result.failures.append(message)
    for result in results.values():
        reason = zeroed.get(result.exercise.module)
        if reason is not None:
            result.failures = [reason]
    return list(results.values())
