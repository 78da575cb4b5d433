"""Self-check questions at the end of a lesson: pick an answer, press Check, try once more, read why.

The questions live beside the notebooks in ``notebooks/selfchecks/<lesson>.yaml``, so the
answer and the explanation are not in the cell the learner reads::

    self_check("02_compound_reliability")
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets
import yaml

#: Where the questions of each lesson are kept.
SELFCHECK_DIR = Path(__file__).resolve().parents[1] / "notebooks" / "selfchecks"
#: Wrong answers before the explanation is shown.
TRIES_BEFORE_EXPLANATION = 2


@dataclass(frozen=True)
class SelfCheck:
    """One multiple-choice question; ``explanation`` is shown after a right answer or a second wrong one."""

    question: str
    options: tuple[str, ...]
    answer: str
    explanation: str

    def __post_init__(self):
        if self.answer not in self.options:
            raise ValueError(f"the answer {self.answer!r} is not one of the options")

    def grade(self, choice: str | None, attempt: int = TRIES_BEFORE_EXPLANATION) -> tuple[bool, str]:
        """Right or not, and the feedback for this ``attempt`` (1 = first try)."""
        if choice is None:
            return False, "Pick an option first."
        if choice == self.answer:
            return True, "Right. " + self.explanation
        if attempt < TRIES_BEFORE_EXPLANATION:
            return False, "Not quite. Have another look and try once more."
        return False, f"Not quite. The answer is “{self.answer}”. " + self.explanation


def load_self_checks(name: str, folder: Path | None = None) -> list[SelfCheck]:
    """The questions of one lesson, by the lesson's file stem (``"02_compound_reliability"``)."""
    path = (folder or SELFCHECK_DIR) / f"{name}.yaml"
    if not path.is_file():
        have = ", ".join(sorted(p.stem for p in (folder or SELFCHECK_DIR).glob("*.yaml")))
        raise ValueError(f"no self-check questions named {name!r} (have: {have})")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return [
            SelfCheck(q["question"], tuple(q["options"]), q["answer"], q["explanation"])
            for q in data.get("questions", [])
        ]
    except (KeyError, TypeError) as error:
        raise ValueError(f"{path.name}: every question needs question, options, answer and explanation") from error


_CODE = re.compile(r"`([^`\n]+)`")


def inline_html(text: str) -> str:
    """Question or feedback text as HTML: escaped, with `code` spans set as code (the questions are
    written like the lessons' Markdown, and backticks shown as typed read as noise)."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text))


def _block(number: int, q: SelfCheck) -> widgets.VBox:
    labels = [(_CODE.sub(r"\1", option), option) for option in q.options]  # radio labels are plain text
    choice = widgets.RadioButtons(options=labels, value=None, layout=widgets.Layout(width="auto"))
    button = widgets.Button(description="Check", button_style="primary")
    feedback = widgets.HTML()
    attempts = {"n": 0}

    def on_click(_):
        if choice.value is not None:
            attempts["n"] += 1
        right, text = q.grade(choice.value, attempts["n"])
        colour = "#009E73" if right else "#D55E00"
        feedback.value = f'<span style="color:{colour}">{inline_html(text)}</span>'

    button.on_click(on_click)
    block = widgets.VBox([widgets.HTML(f"<b>{number}. {inline_html(q.question)}</b>"), choice, button, feedback])
    block.check = on_click  # what the Check button runs, for tests
    block.choice, block.feedback = choice, feedback
    return block


def self_check(*questions: SelfCheck | str) -> widgets.VBox:
    """A stack of questions, each with its own Check button and feedback line.

    Give a lesson's name to load its questions from :data:`SELFCHECK_DIR`, or
    :class:`SelfCheck` objects directly.
    """
    items: list[SelfCheck] = []
    for q in questions:
        items.extend(load_self_checks(q) if isinstance(q, str) else [q])
    return widgets.VBox([_block(number, q) for number, q in enumerate(items, 1)])


__all__ = ["SelfCheck", "self_check", "load_self_checks", "SELFCHECK_DIR"]
