"""The text analyzers a rubric can name, each returning a :class:`TextVerdict`.

* ``choice_in_prose``: which option the text chooses (the pattern criterion);
* ``chain_figures``: a right chained figure plus how parallel work differs (reliability);
* ``field_coverage``: every group of concrete, verifiable fields is named (hand-offs);
* ``control_presence``: at least one real control, not retries or log-watching (silent failure);
* ``concepts``: generic all-of / any-of checklist items.

Before any analyzer runs, questions and restatements of the task are dropped, and an answer
that is only a list of keywords fails every criterion.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from . import cues
from .checklist import describe, find_item, find_negated
from .concepts import ConceptBook
from .figures import differences_said, read_figures
from .normalize import Sentence, is_keyword_dump, split_sentences
from .stance import score_options

REVIEW_BELOW = 0.7
MIN_WORDS = 8  # fewer words than this cannot state a design decision


@dataclass
class TextVerdict:
    passed: bool
    confidence: float
    evidence: str
    reason: str  # "pass" or a failure reason a rubric can attach feedback to
    detail: str = ""  # the engine's own explanation, shown after the rubric's feedback


def _evidence(sentences: list[Sentence], limit: int = 2) -> str:
    unique = list({s.index: s for s in sentences}.values())
    return " … ".join(s.text for s in unique[:limit])


_TOKEN = re.compile(r"[a-z0-9_]+")


@lru_cache(maxsize=256)
def _token_sets(ignore: tuple[str, ...]) -> tuple[frozenset, ...]:
    return tuple(frozenset(_TOKEN.findall(i.lower())) for i in ignore)


def _restates(sentence: Sentence, ignored: tuple[frozenset, ...]) -> bool:
    """True when the sentence shares at least 70 % of its words with a sentence of the prompt."""
    words = frozenset(_TOKEN.findall(sentence.lower))
    return any(len(words & other) >= 0.7 * max(len(words | other), 1) for other in ignored)


def answer_sentences(text: str, ignore: list[str] | tuple[str, ...] | None = None) -> list[Sentence]:
    """Sentences that assert something: no questions, no restated task, nothing from ``ignore``."""
    ignored = _token_sets(tuple(ignore or ()))
    return [
        s
        for s in split_sentences(text)
        if not s.is_question and not cues.PROMPT_LIKE.search(s.lower) and not _restates(s, ignored)
    ]


def choice_in_prose(sentences, book: ConceptBook, params: dict) -> TextVerdict:
    scores = score_options(params["options"], book, sentences)
    accept = [scores[o] for o in params.get("accept", [])]
    weak_accept = [scores[o] for o in params.get("weak_accept", [])]
    compatible = [scores[o] for o in params.get("compatible", [])]
    reject = [scores[o] for o in params.get("reject", [])]
    best = max(accept, key=lambda s: s.score)
    worst = max(reject, key=lambda s: s.score) if reject else None
    bad = worst.score if worst else 0
    if best.score > 0 and best.score > bad:
        confidence = 0.9 if best.strong and bad <= 0 else 0.75 if bad <= 0 else 0.6
        return TextVerdict(True, confidence, _evidence(best.strong or best.weak, 1), "pass")
    if bad > 0 and bad >= best.score:
        chosen = worst.best_sentence
        confidence = 0.85 if best.score <= 0 else 0.55
        return TextVerdict(
            False,
            confidence,
            chosen.text if chosen else "",
            "wrong_choice",
            f"The answer settles on {worst.option.replace('_', ' ')}.",
        )
    weak = max(weak_accept, key=lambda s: s.score) if weak_accept else None
    if weak and weak.score > 0:
        return TextVerdict(
            True,
            0.6,
            _evidence(weak.strong or weak.weak, 1),
            "pass",
            "Named only as a hybrid; say which parts run in parallel.",
        )
    near = [s for s in compatible if s.score > 0]
    if near:
        return TextVerdict(False, 0.6, _evidence(near[0].strong or near[0].weak, 1), "no_parallel")
    rejected_only = [s for s in accept + reject if s.rejected]
    reason = "only_rejections" if rejected_only else "missing"
    return TextVerdict(False, 0.8, _evidence(rejected_only[0].rejected, 1) if rejected_only else "", reason)


def chain_figures(sentences, book: ConceptBook, params: dict) -> TextVerdict:
    chain_context = find_item(book, params["chain_context"], sentences)
    parallel_context = [m.sentence for m in book.matches(params["parallel_context"], sentences, allow_negated=True)]
    report = read_figures(
        sentences,
        float(params.get("base", 0.95)),
        tuple(params.get("exponents", (2, 10))),
        tuple(params.get("bare_exponents", (3, 6))),
        chain_context,
        parallel_context,
    )
    differences = differences_said(
        book, params.get("differences", []), sentences, parallel_context, params.get("context_free", [])
    )
    right = report.right or report.right_bare or report.right_form_only
    if report.wrong:
        sentence, what = report.wrong[0]
        return TextVerdict(False, 0.6 if right else 0.85, sentence.text, "wrong_figure", f"Check {what}.")
    if report.misconception:
        sentence, what = report.misconception[0]
        return TextVerdict(False, 0.75, sentence.text, "parallel_misconception")
    if report.additive and not right:
        return TextVerdict(False, 0.85, report.additive[0][0].text, "additive")
    if not right:
        return TextVerdict(False, 0.8, _evidence([m.sentence for m in differences], 1), "missing_figure")
    if not differences:
        return TextVerdict(False, 0.75, right[0][0].text, "one_side")
    confidence = 0.9 if report.right else 0.75 if report.right_bare else 0.6
    if report.additive:
        confidence = min(confidence, 0.6)
    sentences_used = [right[0][0]] + [m.sentence for m in differences if m.sentence is not right[0][0]]
    return TextVerdict(True, confidence, _evidence(sentences_used), "pass")


def field_coverage(sentences, book: ConceptBook, params: dict) -> TextVerdict:
    found, missing, weak_only = [], [], []
    for name, group in params["groups"].items():
        hits = [s for item in group.get("any", []) for s in find_item(book, item, sentences)]
        if hits:
            found.append(hits[0])
            continue
        weak_hits = [s for item in group.get("weak", []) for s in find_item(book, item, sentences)]
        if weak_hits:
            found.append(weak_hits[0])
            weak_only.append(group.get("label", name))
            continue
        missing.append(group.get("label", name))
    if missing:
        vague = params.get("vague")
        vague_said = find_item(book, vague, sentences) if vague else []
        reason = "vague" if vague_said else "missing"
        detail = "Not found: " + "; ".join(missing) + "."
        return TextVerdict(
            False, 0.8 if len(missing) > 1 or not found else 0.7, _evidence(vague_said or found, 1), reason, detail
        )
    confidence = 0.65 if weak_only else 0.9
    detail = ("Accepted, but check by hand: " + "; ".join(weak_only) + ".") if weak_only else ""
    return TextVerdict(True, confidence, _evidence(found, 3), "pass", detail)


def control_presence(sentences, book: ConceptBook, params: dict) -> TextVerdict:
    hits: dict[str, list[Sentence]] = {}
    for item in params["controls"]:
        said = find_item(book, item, sentences)
        if said:
            hits[describe(item)] = said
    if hits:
        first = next(iter(hits.values()))
        confidence = 0.9 if len(hits) >= 2 else 0.8
        return TextVerdict(True, confidence, _evidence(first, 1), "pass")
    not_controls = [s for item in params.get("not_controls", []) for s in find_item(book, item, sentences)]
    negated_controls = [s for item in params["controls"] for s in find_negated(book, item, sentences)]
    if negated_controls:
        return TextVerdict(False, 0.75, negated_controls[0].text, "negated")
    if not_controls:
        return TextVerdict(False, 0.85, not_controls[0].text, "not_a_control")
    return TextVerdict(False, 0.75, "", "missing")


def concepts(sentences, book: ConceptBook, params: dict) -> TextVerdict:
    evidence, missing = [], []
    for item in params.get("all_of", []):
        said = find_item(book, item, sentences)
        (evidence.extend(said[:1]) if said else missing.append(describe(item)))
    any_of = params.get("any_of", [])
    if any_of:
        said = [s for item in any_of for s in find_item(book, item, sentences)]
        if said:
            evidence.extend(said[:1])
        else:
            missing.append(" or ".join(describe(i) for i in any_of))
    if missing:
        return TextVerdict(False, 0.75, _evidence(evidence, 1), "missing")
    return TextVerdict(True, 0.8, _evidence(evidence), "pass")


ANALYZERS: dict[str, Callable[[list[Sentence], ConceptBook, dict], TextVerdict]] = {
    "choice_in_prose": choice_in_prose,
    "chain_figures": chain_figures,
    "field_coverage": field_coverage,
    "control_presence": control_presence,
    "concepts": concepts,
}


def analyze(
    analyzer: str,
    text: str,
    book: ConceptBook,
    params: dict[str, Any],
    ignore: list[str] | None = None,
    sentences: list[Sentence] | None = None,
) -> TextVerdict:
    """Run one analyzer on an answer. A keyword list or an answer with nothing asserted fails."""
    if is_keyword_dump(text):
        return TextVerdict(False, 0.8, "", "keyword_list")
    sentences = answer_sentences(text, ignore) if sentences is None else sentences
    if not sentences:
        return TextVerdict(False, 0.8, "", "missing")
    minimum = int(params.get("min_words", MIN_WORDS))
    if minimum and sum(len(s.words) for s in sentences) < minimum:
        return TextVerdict(False, 0.7, _evidence(sentences, 1), "too_short")
    verdict = ANALYZERS[analyzer](sentences, book, params)
    if any(s.cut for s in sentences):  # a run-on without sentence ends: let a person look
        verdict.confidence = min(verdict.confidence, 0.5)
        verdict.detail = (
            verdict.detail + " Parts of the answer run on without sentence ends; a person will review this."
        ).strip()
    return verdict
