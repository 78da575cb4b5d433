"""Calibrating a rubric: grade answers an instructor labelled by criterion and compare.

A labelled set is YAML: ``exercise`` (optional), ``items`` - each with an ``id``, ``labels``
(criterion id -> true/false) and either ``text`` (the answer, for a rubric with one text
answer) or ``answers`` (answer name -> text). Per criterion the report gives agreement,
Cohen's kappa, false passes and false fails, the share of wrong verdicts flagged for review
and the share of right verdicts flagged, and every disagreement with its evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from .confidence import needs_review
from .engine import grade_answers
from .rubric import Rubric
from .safety import UnsafeInput, read_text

ITEM_KEYS = ("id", "labels", "text", "answers", "kind", "note")


class LabelError(ValueError):
    """A labelled set that cannot be used; the message names the file, the item and what is wrong."""


@dataclass(frozen=True)
class LabelledItem:
    id: str
    answers: dict[str, str]
    labels: dict[str, bool]


@dataclass
class Disagreement:
    item: str
    criterion: str
    label: bool
    graded: bool
    confidence: float
    flagged: bool
    evidence: str
    feedback: str


@dataclass
class CriterionStats:
    criterion: str
    n: int = 0
    agree: int = 0
    true_pass: int = 0
    false_pass: int = 0
    false_fail: int = 0
    true_fail: int = 0
    wrong_flagged: int = 0
    right_flagged: int = 0

    @property
    def agreement(self) -> float:
        return self.agree / self.n if self.n else 0.0

    @property
    def kappa(self) -> float:
        """Cohen's kappa of grader against labels (1 when both are constant and agree)."""
        n = self.n
        if not n:
            return 0.0
        observed = self.agree / n
        graded_pass = (self.true_pass + self.false_pass) / n
        labelled_pass = (self.true_pass + self.false_fail) / n
        chance = graded_pass * labelled_pass + (1 - graded_pass) * (1 - labelled_pass)
        return 1.0 if chance >= 1 else (observed - chance) / (1 - chance)

    @property
    def wrong(self) -> int:
        return self.false_pass + self.false_fail

    @property
    def wrong_flagged_share(self) -> float | None:
        return self.wrong_flagged / self.wrong if self.wrong else None

    @property
    def right_flagged_share(self) -> float | None:
        return self.right_flagged / self.agree if self.agree else None

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(
            agreement=round(self.agreement, 4),
            kappa=round(self.kappa, 4),
            wrong_flagged_share=None if self.wrong_flagged_share is None else round(self.wrong_flagged_share, 4),
            right_flagged_share=None if self.right_flagged_share is None else round(self.right_flagged_share, 4),
        )
        return out


@dataclass
class Calibration:
    exercise: str
    items: int
    criteria: list[CriterionStats] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # items that could not be graded, with why

    def to_dict(self) -> dict:
        return {
            "exercise": self.exercise,
            "items": self.items,
            "criteria": [c.to_dict() for c in self.criteria],
            "disagreements": [asdict(d) for d in self.disagreements],
            "skipped": self.skipped,
        }


def load_labels(path: str | Path, rubric: Rubric) -> list[LabelledItem]:
    """The labelled items of ``path`` for ``rubric``; LabelError names the first problem."""
    where = str(path)
    try:
        data = _read_yaml(read_text(path))
    except FileNotFoundError:
        raise LabelError(f"{where}: no such file") from None
    except (UnsafeInput, ValueError, OSError) as exc:
        raise LabelError(f"{where}: {getattr(exc, 'strerror', None) or exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not data["items"]:
        raise LabelError(f"{where}: a labelled set is a mapping with a non-empty 'items' list")
    if data.get("exercise") not in (None, rubric.exercise):
        raise LabelError(f"{where}: labels are for exercise {data['exercise']!r}, the rubric is {rubric.exercise!r}")
    texts = [n for n, a in rubric.answers.items() if a.kind == "text"]
    criteria = {c.id for c in rubric.criteria}
    items, seen = [], set()
    for i, raw in enumerate(data["items"]):
        at = f"{where}: items[{i}]"
        if not isinstance(raw, dict):
            raise LabelError(f"{at}: an item is a mapping with id, labels and text")
        extra = set(raw) - set(ITEM_KEYS)
        if extra:
            raise LabelError(f"{at}: unknown key {sorted(extra)[0]!r} (keys: {', '.join(ITEM_KEYS)})")
        item_id = str(raw.get("id", i))
        if item_id in seen:
            raise LabelError(f"{at}: id {item_id!r} appears twice")
        seen.add(item_id)
        labels = raw.get("labels")
        if not isinstance(labels, dict) or not labels:
            raise LabelError(f"{at} ({item_id}): 'labels' maps criterion ids to true or false")
        for key, value in labels.items():
            if key not in criteria:
                raise LabelError(f"{at} ({item_id}): {key!r} is not a criterion of {rubric.exercise}")
            if not isinstance(value, bool):
                raise LabelError(f"{at} ({item_id}): label {key!r} should be true or false, not {value!r}")
        if "answers" in raw:
            answers = raw["answers"]
            if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
                raise LabelError(f"{at} ({item_id}): 'answers' maps answer names to texts")
        elif isinstance(raw.get("text"), str):
            if len(texts) != 1:
                raise LabelError(f"{at} ({item_id}): the rubric has several answers; give 'answers' instead of 'text'")
            answers = {texts[0]: raw["text"]}
        else:
            raise LabelError(f"{at} ({item_id}): needs 'text' (the answer) or 'answers'")
        items.append(LabelledItem(item_id, {str(k): v for k, v in answers.items()}, dict(labels)))
    return items


def _read_yaml(text: str):
    """A labelled set: plain YAML up to the 5 MB file bound, without aliases (no expansion bombs)."""
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=yaml.SafeLoader)):
            raise ValueError("uses YAML aliases (*name); write each answer out")
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark else ""
        raise ValueError(f"does not parse{at}: {getattr(exc, 'problem', None) or str(exc).splitlines()[0]}") from None


def calibrate(rubric: Rubric, items: list[LabelledItem]) -> Calibration:
    """Grade every labelled item and compare with its labels, criterion by criterion."""
    stats = {c.id: CriterionStats(c.id) for c in rubric.criteria}
    report = Calibration(rubric.exercise, len(items))
    for item in items:
        result = grade_answers(item.answers, rubric, submission=item.id, partial=True)
        if not result.gradable:
            report.skipped.append(f"{item.id}: {'; '.join(result.errors)}")
            continue
        for c in result.criteria:
            if c.id not in item.labels:
                continue
            label, s = item.labels[c.id], stats[c.id]
            flagged = needs_review(c.confidence)
            s.n += 1
            if c.passed == label:
                s.agree += 1
                s.right_flagged += flagged
                s.true_pass += label
                s.true_fail += not label
            else:
                s.wrong_flagged += flagged
                s.false_pass += c.passed
                s.false_fail += not c.passed
                report.disagreements.append(
                    Disagreement(item.id, c.id, label, c.passed, c.confidence, flagged, c.evidence, c.feedback)
                )
    report.criteria = [s for s in stats.values() if s.n]
    return report


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def format_table(report: Calibration) -> str:
    """The report for people: one line per criterion, then each disagreement."""
    lines = [
        f"{report.exercise}: {report.items} labelled answers",
        f"{'criterion':24} {'agree':>11} {'kappa':>6} {'false pass':>10} {'false fail':>10} "
        f"{'wrong flagged':>13} {'right flagged':>13}",
    ]
    for s in report.criteria:
        lines.append(
            f"{s.criterion:24} {s.agree:>3}/{s.n:<3} {s.agreement:>4.0%} {s.kappa:>6.2f} {s.false_pass:>10} "
            f"{s.false_fail:>10} {_share(s.wrong_flagged_share):>13} {_share(s.right_flagged_share):>13}"
        )
    if report.disagreements:
        lines.append("")
        lines.append("Disagreements:")
    for d in report.disagreements:
        verdict = "passed" if d.graded else "failed"
        flag = " (flagged for review)" if d.flagged else ""
        lines.append(f"- {d.item} / {d.criterion}: labelled {'pass' if d.label else 'fail'}, grader {verdict}{flag}")
        lines.append(f"    evidence: {d.evidence or '(none)'}")
        lines.append(f"    feedback: {d.feedback}")
    for skipped in report.skipped:
        lines.append(f"! not graded: {skipped}")
    return "\n".join(lines)


__all__ = [
    "Calibration",
    "CriterionStats",
    "Disagreement",
    "LabelError",
    "LabelledItem",
    "calibrate",
    "format_table",
    "load_labels",
]
