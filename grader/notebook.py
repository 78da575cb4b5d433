"""Immediate feedback inside an exercise notebook: ``check()`` and a "Check my answers" button.

Both read the notebook as saved on disk (answers are data in tagged cells, so nothing needs to
run) and work in JupyterLab 4 and Notebook 7 with no server extension: the button is a plain
ipywidgets button whose callback runs in the kernel. Save the notebook (Ctrl+S) before checking.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from .engine import grade_answers, grade_file
from .errors import RubricError
from .results import SubmissionResult
from .rubric import default_rubrics_dir, load_rubric

SAVE_FIRST = "Save the notebook (Ctrl+S / Cmd+S) before checking: the check reads the saved file."
NOTHING_SAVED = (
    "Nothing is saved yet: every answer in the saved copy of {name} is empty. If you have typed your "
    "answers, save the notebook (Ctrl+S / Cmd+S) and check again; if not, write them in the answer cells first."
)


def model_answer(exercise: str, rubrics: str | os.PathLike | None = None) -> str | None:
    """The model answer kept beside the rubrics (``model_answers/<exercise>.md``), or None."""
    if not exercise or not exercise.replace("_", "").isalnum():
        return None
    folder = Path(rubrics) if rubrics else default_rubrics_dir()
    path = folder / "model_answers" / f"{exercise}.md"
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def _record_progress(result: SubmissionResult) -> None:
    """Tell the learner's progress page about this check; a missing or failing store never breaks it."""
    if not result.gradable or not result.exercise:
        return
    try:
        from course.progress import record_exercise

        record_exercise(result.exercise, result.score, result.max_score)
    except Exception:  # the check matters more than the progress page
        pass


def _claims(path: Path) -> str | None:
    try:
        if path.stat().st_size > 5_000_000:
            return None
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        return (meta.get("orchlab") or {}).get("exercise")
    except (OSError, ValueError, AttributeError):
        return None


def find_notebook(exercise: str | None, path: str | os.PathLike | None = None) -> Path | None:
    """The saved notebook to check: ``path``, else the kernel's own notebook (``JPY_SESSION_NAME``,
    set by Jupyter Server 2), else the newest notebook in the working folder naming ``exercise``."""
    if path:
        return Path(path)
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session.endswith(".ipynb"):
        for candidate in (Path(session), Path.cwd() / Path(session).name):
            if candidate.is_file() and (exercise is None or _claims(candidate) in (exercise, None)):
                return candidate
    matches = [p for p in Path.cwd().glob("*.ipynb") if exercise and _claims(p) == exercise]
    return max(matches, key=lambda p: p.stat().st_mtime) if matches else None


def check(
    exercise: str | None = None,
    path: str | os.PathLike | None = None,
    *,
    answers: dict | None = None,
    rubrics: str | os.PathLike | None = None,
    show_model_answer: bool = False,
) -> SubmissionResult:
    """Grade this exercise now and return the result (it renders as a feedback table).

    Unanswered questions show as "not answered yet" rather than making the check fail, so you
    can check as you go. Pass ``answers={name: text}`` to check answers without a file. A model
    answer to compare with appears once every criterion is met, or when ``show_model_answer=True``.
    """
    result = _check(exercise, path, answers, rubrics)
    if result.gradable and result.criteria and not any(c.answered for c in result.criteria):
        result.notice = (
            NOTHING_SAVED.format(name=Path(result.submission).name)
            if answers is None
            else "Nothing to check yet: every answer given is empty."
        )
    elif answers is None:
        _record_progress(result)
    full_marks = result.gradable and result.max_score > 0 and result.score == result.max_score
    if full_marks or show_model_answer:
        result.model_answer = model_answer(result.exercise or exercise or "", rubrics) or ""
    return result


def _check(exercise, path, answers, rubrics) -> SubmissionResult:
    try:
        if answers is not None:
            if not exercise:
                raise RubricError("name the exercise: check('reliability_math', answers=...)")
            return grade_answers(
                {k: str(v) for k, v in answers.items()},
                load_rubric(exercise, rubrics),
                submission="<answers>",
                partial=True,
            )
        notebook = find_notebook(exercise, path)
        if notebook is None or not notebook.is_file():
            return SubmissionResult.not_gradable(
                str(path or "this notebook"),
                exercise,
                f"could not find the saved notebook for '{exercise}'. {SAVE_FIRST}",
            )
        result = grade_file(notebook, exercise, rubrics, partial=True)
        saved = time.strftime("%H:%M:%S", time.localtime(notebook.stat().st_mtime))
        result.note = f"Checked {notebook.name} as saved at {saved}. {SAVE_FIRST}"
        return result
    except RubricError as exc:
        return SubmissionResult.not_gradable(str(path or "this notebook"), exercise, str(exc))
    except Exception as exc:  # the learner sees a sentence, never a traceback
        return SubmissionResult.not_gradable(
            str(path or "this notebook"),
            exercise,
            f"the grader could not check this notebook ({type(exc).__name__}); tell your instructor",
        )


def check_button(
    exercise: str | None = None,
    path: str | os.PathLike | None = None,
    *,
    rubrics: str | os.PathLike | None = None,
    description: str = "Check my answers",
):
    """A button that runs :func:`check` and shows the feedback under it."""
    try:
        import ipywidgets as widgets
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - ipywidgets is a kit dependency
        return check(exercise, path, rubrics=rubrics)
    button = widgets.Button(
        description=description,
        icon="check",
        button_style="primary",
        tooltip=SAVE_FIRST,
        layout=widgets.Layout(width="auto"),
    )
    reveal = widgets.Button(
        description="Show a model answer",
        icon="eye",
        tooltip="Compare your answers with a model answer (try the exercise yourself first)",
        layout=widgets.Layout(width="auto", display="none"),
    )
    output = widgets.Output()

    def show(model: bool) -> None:
        button.disabled = True
        try:
            output.clear_output(wait=True)
            with output:
                display(HTML(check(exercise, path, rubrics=rubrics, show_model_answer=model)._repr_html_()))
        finally:
            button.disabled = False
            reveal.layout.display = None  # offered once the learner has checked at least once

    button.on_click(lambda _: show(False))
    reveal.on_click(lambda _: show(True))
    return widgets.VBox([widgets.HBox([button, reveal]), output])
