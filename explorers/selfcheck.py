"""Self-check questions at the end of a lesson: pick an answer, press Check, read why."""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets


@dataclass(frozen=True)
class SelfCheck:
    """One multiple-choice question; ``explanation`` is shown after any attempt."""

    question: str
    options: tuple[str, ...]
    answer: str
    explanation: str

    def __post_init__(self):
        if self.answer not in self.options:
            raise ValueError(f"the answer {self.answer!r} is not one of the options")

    def grade(self, choice: str | None) -> tuple[bool, str]:
        if choice is None:
            return False, "Pick an option first."
        right = choice == self.answer
        return right, ("Right. " if right else "Not quite. ") + self.explanation


def self_check(*questions: SelfCheck) -> widgets.VBox:
    """A stack of questions, each with its own Check button and feedback line."""
    blocks = []
    for number, q in enumerate(questions, 1):
        choice = widgets.RadioButtons(options=list(q.options), value=None, layout=widgets.Layout(width="auto"))
        button = widgets.Button(description="Check", button_style="primary")
        feedback = widgets.HTML()

        def on_click(_, q=q, choice=choice, feedback=feedback):
            right, text = q.grade(choice.value)
            colour = "#009E73" if right else "#D55E00"
            feedback.value = f'<span style="color:{colour}">{html.escape(text)}</span>'

        button.on_click(on_click)
        blocks.append(
            widgets.VBox([widgets.HTML(f"<b>{number}. {html.escape(q.question)}</b>"), choice, button, feedback])
        )
    return widgets.VBox(blocks)
