"""Hostile text up to the size limit: grading stays bounded (no regex is super-linear in the answer).

A bounded test, not a speed measurement: each example must finish inside a generous guard
(``signal.alarm``); a quadratic pattern takes minutes on answers this long, a linear one well under a second.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import check, grade_answers, load_rubric
from grader.engine import MAX_ANSWER_CHARS
from grader.safety import strip_html_comments

GUARD = 20  # seconds per example
FRAGMENTS = [
    "<!--", "-->", "<!-- answer:design -->", "\n", " ", "\t", "#", "## ", "- ", "* ", "1. ", "|", "`", "```",
    "**", "_", "0.95", "**3", "^", "%", " 86 %", "0.857", "e.g.", "i.e.", ".", ",", ";", ":", "(", ")",
    "no ", "not ", "never ", "fan-out ", "parallel ", "orchestrator ", "hierarchical ", "sequential ",
    "lineage ", "source table ", "timestamp ", "count ", "validate ", "checkpoint ", "✎", "a" * 50, "9" * 40,
    "\ud800", "\u202e", "answer:", "yaml: [", "{", "}", "'", '"', "&", "<", ">", "\\",
]  # fmt: skip


@contextmanager
def guard(seconds: int = GUARD):
    def expire(signum, frame):
        raise TimeoutError(f"grading one hostile answer took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def hostile(pieces: list[str], size: int) -> str:
    """A text of about ``size`` characters repeating the drawn fragments (repetition is what hurts regexes)."""
    unit = "".join(pieces) or " "
    return (unit * (size // len(unit) + 1))[:size]


texts = st.builds(
    hostile,
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4),
    st.sampled_from([MAX_ANSWER_CHARS // 4, MAX_ANSWER_CHARS - 1]),
)


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_free_text_grading_is_bounded_on_hostile_answers(text):
    rubric = load_rubric("orders_daily_design")
    with guard():
        result = grade_answers({"design": text}, rubric, partial=True)
    assert result.gradable and 0 <= result.score <= result.max_score


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_the_same_hostile_text_in_every_answer_is_bounded(text):
    rubric = load_rubric("pattern_selection")
    with guard(3 * GUARD):
        result = check("pattern_selection", answers=dict.fromkeys(rubric.answers, text))
    assert result.exercise == "pattern_selection"


def test_comment_stripping_is_one_pass():
    assert strip_html_comments("a<!-- x -->b<!--c-->d") == "abd"
    assert strip_html_comments("a<!-- open") == "a<!-- open"  # unclosed: kept, scan ends
    assert strip_html_comments("<!-->x-->y", " ") == " y"
    with guard(5):
        assert strip_html_comments("<!--" * 500_000).startswith("<!--")


REPEATED = ["e.g. ", "i.e. A ", "no. ", "a. b ", "<!--", "9", "1.", "- a\n", "a: ", "| ", "0.95**3 = 0.857 ", "(", "\\"]


@pytest.mark.parametrize("unit", REPEATED)
def test_one_unit_repeated_to_the_size_limit_is_bounded(unit):
    """Each unit once made some pattern quadratic or is a classic trigger ("e.g. " x 10,000 took 187 s)."""
    with guard():
        for exercise, name in (("orders_daily_design", "design"), ("pattern_selection", "decision_rule")):
            result = check(exercise, answers={name: hostile([unit], MAX_ANSWER_CHARS - 1)})
            assert result.gradable
