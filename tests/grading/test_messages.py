"""What a failure says in the grader's feedback: an error names the test case it came from,
so the same error in two cases is two failures, not one merged line."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

from kata.judge.student import ImplementationError

from grader.trusted.plugin import message_of
from grader.trusted.protocol import StudentError


def failing(error: BaseException) -> pytest.CallInfo:
    def call() -> None:
        raise error
    return pytest.CallInfo.from_call(call, when="call")


def test_an_error_names_its_case():
    raised = StudentError("Conv.forward raised Exception: boom")
    assert (message_of(failing(raised), "test_forward[5x6-k3]")
            == "In test case test_forward[5x6-k3]: Conv.forward raised Exception: boom")
    assert (message_of(failing(TypeError("cannot unpack non-iterable NoneType object")), "test_loss[1-3]")
            == "In test case test_loss[1-3]: TypeError: cannot unpack non-iterable NoneType object")
    # The same error in two cases: two messages, so the feedback lists both.
    assert message_of(failing(raised), "test_forward[a]") != message_of(failing(raised), "test_forward[b]")


def test_a_checks_message_and_a_missing_name_stay_as_they_are():
    # A check's message already names its inputs; a missing name is the same in every case.
    assert message_of(failing(AssertionError("Conv.forward(image of shape (5, 6)) is wrong")), "t[1]") == (
        "Conv.forward(image of shape (5, 6)) is wrong")
    assert message_of(failing(ImplementationError("conv.py has no Conv")), "t[1]") == "conv.py has no Conv"


def test_a_case_is_named_by_its_function_and_number_never_its_parameter_ids(pytester: pytest.Pytester):
    pytester.makepyfile(test_cases='''
        import pytest

        @pytest.mark.parametrize("shape", [(31, 17), (9, 4)], ids=["hidden-31x17", "hidden-9x4"])
        def test_forward(shape, request):
            from grader.trusted.plugin import case_name
            request.node.user_properties.append(("case", case_name(request.node)))

        def test_plain(request):
            from grader.trusted.plugin import case_name
            request.node.user_properties.append(("case", case_name(request.node)))
    ''')
    result = pytester.inline_run("-p", "no:cacheprovider")
    names = [dict(report.user_properties)["case"] for report in result.getreports("pytest_runtest_logreport")
             if report.when == "call"]
    assert names == ["test_forward, case 1", "test_forward, case 2", "test_plain"]
