"""The text analyzers a rubric can name, each returning an :class:`~grader.outcome.Outcome`.

* ``choice_in_prose``: which option the text chooses (and, with ``targets``, for what);
* ``chain_figures``: a right chained figure plus how parallel work differs (reliability);
* ``field_coverage``: every group of concrete, verifiable fields is named (hand-offs);
* ``control_presence``: at least one real control, not retries or log-watching (silent failure);
* ``concepts``: generic all-of / any-of / none-of checklist items with a scope.

Before any analyzer runs, questions and text the learner was given are dropped, and an answer
that is only a list of keywords fails every criterion.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ..confidence import Confidence
from ..outcome import Outcome
from ..specs import (
    ChainFiguresSpec,
    ChoiceInProseSpec,
    ConceptsSpec,
    ControlPresenceSpec,
    FieldCoverageSpec,
    TextSpec,
)
from . import cues
from .checklist import describe, find_item, find_negated, in_scope
from .concepts import ConceptBook
from .figures import differences_said, read_figures
from .given import GivenText
from .normalize import Sentence, is_keyword_dump, split_sentences
from .stance import score_options, tied_to

C = Confidence
SHORT_BUT_COMPLETE = 6  # an answer that says everything needed in this many words is not too short


def _evidence(sentences: list[Sentence], limit: int = 2) -> str:
    unique = list({s.index: s for s in sentences}.values())
    return " … ".join(s.text for s in unique[:limit])


def answer_sentences(text: str, given: GivenText | list[str] | tuple[str, ...] | None = None) -> list[Sentence]:
    """Sentences that assert something: no questions, no restated task, nothing the learner was given."""
    if not isinstance(given, GivenText):
        given = GivenText.build(list(given or ()))
    out = []
    for sentence in split_sentences(text):
        if sentence.is_question or cues.PROMPT_LIKE.search(sentence.lower) or cues.CODE_LINE.search(sentence.lower):
            continue
        own = given.strip(sentence)
        if own is not None:
            out.append(own)
    return out


def _settled_on(score, book: ConceptBook, spec: ChoiceInProseSpec) -> tuple:
    """How firmly an option is chosen, to name the right one when several score alike: its score,
    then a choice cue over a plain mention, then the earlier mention ("One agent is enough ...
    three agents would be too much" settles on one agent)."""
    sentence = score.best_sentence
    if sentence is None:
        return (score.score, False, 0, 0)
    first = min((m.start for m in book[spec.options[score.option]].find(sentence)), default=0)
    return (score.score, bool(score.strong), -sentence.index, -first)


def choice_in_prose(sentences, book: ConceptBook, spec: ChoiceInProseSpec) -> Outcome:
    scores = score_options(spec.options, book, sentences)
    accept = [scores[o] for o in spec.accept]
    weak_accept = [scores[o] for o in spec.weak_accept]
    compatible = [scores[o] for o in spec.compatible]
    reject = [scores[o] for o in spec.reject]
    best = max(accept, key=lambda s: s.score)
    worst = max(reject, key=lambda s: _settled_on(s, book, spec)) if reject else None
    bad = worst.score if worst else 0
    if best.score > 0 and best.score > bad:
        if spec.targets.get(best.option):
            others = [t for o, t in spec.targets.items() if o != best.option]
            tied = tied_to(book, spec.options[best.option], spec.targets[best.option], others, best.strong + best.weak)
            if not tied:
                return Outcome(
                    False,
                    C.FAIR,
                    _evidence(best.strong or best.weak, 1),
                    "wrong_target",
                    f"{best.option.replace('_', ' ').capitalize()} is named, but not for the case it fits.",
                )
        confidence = C.HIGH if best.strong and bad <= 0 else C.FAIR if bad <= 0 else C.LOW
        return Outcome(True, confidence, _evidence(best.strong or best.weak, 1), "pass")
    if bad > 0 and bad >= best.score:
        chosen = worst.best_sentence
        confidence = C.HIGH if best.score <= 0 else C.LOW
        return Outcome(
            False,
            confidence,
            chosen.text if chosen else "",
            "wrong_choice",
            f"The answer settles on {worst.option.replace('_', ' ')}.",
        )
    weak = max(weak_accept, key=lambda s: s.score) if weak_accept else None
    if weak and weak.score > 0:
        return Outcome(
            True,
            C.LOW,
            _evidence(weak.strong or weak.weak, 1),
            "pass",
            "Named only as a hybrid; say which parts run in parallel.",
        )
    near = [s for s in compatible if s.score > 0]
    if near:
        return Outcome(False, C.LOW, _evidence(near[0].strong or near[0].weak, 1), "no_parallel")
    rejected_only = [s for s in accept + reject if s.rejected]
    reason = "only_rejections" if rejected_only else "missing"
    return Outcome(False, C.GOOD, _evidence(rejected_only[0].rejected, 1) if rejected_only else "", reason)


def chain_figures(sentences, book: ConceptBook, spec: ChainFiguresSpec) -> Outcome:
    chain_context = find_item(book, spec.chain_context, sentences)
    parallel_context = [m.sentence for m in book.matches(spec.parallel_context, sentences, allow_negated=True)]
    report = read_figures(sentences, spec.base, spec.exponents, spec.bare_exponents, chain_context, parallel_context)
    differences = differences_said(book, list(spec.differences), sentences, parallel_context, list(spec.context_free))
    right = report.right or report.right_bare or report.right_form_only
    if report.wrong:
        sentence, what = report.wrong[0]
        return Outcome(False, C.LOW if right else C.HIGH, sentence.text, "wrong_figure", f"Check {what}.")
    if report.misconception:
        sentence, what = report.misconception[0]
        return Outcome(
            False,
            C.FAIR,
            sentence.text,
            "parallel_misconception",
            f"The figure {what} for the parallel design is not right when synthesis needs every branch.",
        )
    if report.additive and not right:
        return Outcome(False, C.HIGH, report.additive[0][0].text, "additive")
    if not right:
        return Outcome(False, C.GOOD, _evidence([m.sentence for m in differences], 1), "missing_figure")
    if not differences:
        return Outcome(False, C.FAIR, right[0][0].text, "one_side")
    confidence = C.HIGH if report.right else C.FAIR if report.right_bare else C.LOW
    if report.additive:
        confidence = C.LOW
    sentences_used = [right[0][0]] + [m.sentence for m in differences if m.sentence is not right[0][0]]
    return Outcome(True, confidence, _evidence(sentences_used), "pass")


def field_coverage(sentences, book: ConceptBook, spec: FieldCoverageSpec) -> Outcome:
    found, missing, weak_only = [], [], []
    for name, group in spec.groups.items():
        hits = [s for item in group.any for s in find_item(book, item, sentences)]
        if hits:
            found.append(hits[0])
            continue
        weak_hits = [s for item in group.weak for s in find_item(book, item, sentences)]
        if weak_hits:
            found.append(weak_hits[0])
            weak_only.append(group.label or name)
            continue
        missing.append(group.label or name)
    if missing:
        vague_said = find_item(book, spec.vague, sentences) if spec.vague else []
        reason = "vague" if vague_said else "missing"
        detail = "Not found: " + "; ".join(missing) + "."
        confidence = C.GOOD if len(missing) > 1 or not found else C.LOW
        return Outcome(False, confidence, _evidence(vague_said or found, 1), reason, detail)
    confidence = C.LOW if weak_only else C.HIGH
    detail = ("Accepted, but check by hand: " + "; ".join(weak_only) + ".") if weak_only else ""
    return Outcome(True, confidence, _evidence(found, 3), "pass", detail)


def control_presence(sentences, book: ConceptBook, spec: ControlPresenceSpec) -> Outcome:
    """A control counts unless a veto is said in the same clause ("validate it on the dashboard")."""
    hits: dict[str, list[Sentence]] = {}
    vetoed: list[Sentence] = []
    for item in spec.controls:
        for sentence in find_item(book, item, sentences):
            if any(find_item(book, veto, [sentence], same_clause_as=item) for veto in spec.vetoes):
                vetoed.append(sentence)
            else:
                hits.setdefault(describe(item), []).append(sentence)
    if hits:
        first = next(iter(hits.values()))
        confidence = C.HIGH if len(hits) >= 2 else C.GOOD
        return Outcome(True, confidence, _evidence(first, 1), "pass")
    not_controls = [s for item in spec.not_controls for s in find_item(book, item, sentences)]
    negated_controls = [s for item in spec.controls for s in find_negated(book, item, sentences)]
    if negated_controls:
        return Outcome(False, C.FAIR, negated_controls[0].text, "negated")
    if not_controls or vetoed:
        return Outcome(False, C.HIGH if not vetoed else C.LOW, (not_controls or vetoed)[0].text, "not_a_control")
    return Outcome(False, C.FAIR, "", "missing")


def concepts(sentences, book: ConceptBook, spec: ConceptsSpec) -> Outcome:
    """All of / any of / none of, with ``all_of`` met inside one ``scope`` (answer, paragraph, sentence),
    and with ``powers_of`` every reliability figure stated checked."""
    if spec.powers_of:
        report = read_figures(sentences, spec.powers_of, (2, 12), (2, 12), [], sentences)
        wrong = report.wrong + report.misconception + report.additive
        if wrong:
            sentence, what = wrong[0]
            return Outcome(False, C.GOOD, sentence.text, "wrong_figure", f"Check this figure: {what}.")

    def said(item, within):
        found = find_item(book, item, within)
        if not found and item in spec.negated_ok:
            found = find_negated(book, item, within)
        return found

    evidence, missing = [], []
    if spec.all_of:
        best_missing = None
        for group in in_scope(sentences, spec.scope):
            group_evidence, group_missing = [], []
            for item in spec.all_of:
                hits = said(item, group)
                (group_evidence.extend(hits[:1]) if hits else group_missing.append(describe(item)))
            if best_missing is None or len(group_missing) < len(best_missing):
                best_missing, evidence = group_missing, group_evidence
            if not group_missing:
                break
        missing = list(best_missing or [])
    if spec.any_of:
        hits = [s for item in spec.any_of for s in said(item, sentences)]
        if hits:
            evidence.extend(hits[:1])
        else:
            missing.append(" or ".join(describe(i) for i in spec.any_of))
    if missing:
        negated = [s for item in spec.all_of + spec.any_of for s in find_negated(book, item, sentences)]
        if negated and not evidence:
            return Outcome(False, C.FAIR, negated[0].text, "negated")
        return Outcome(False, C.FAIR if evidence else C.GOOD, _evidence(evidence, 1), "missing")
    return Outcome(True, C.GOOD, _evidence(evidence), "pass")


ANALYZERS: dict[str, Callable[[list[Sentence], ConceptBook, TextSpec], Outcome]] = {
    "choice_in_prose": choice_in_prose,
    "chain_figures": chain_figures,
    "field_coverage": field_coverage,
    "control_presence": control_presence,
    "concepts": concepts,
}


def analyze(
    text: str,
    book: ConceptBook,
    spec: TextSpec,
    given: GivenText | None = None,
    sentences: list[Sentence] | None = None,
) -> Outcome:
    """Run a spec's analyzer on an answer. A keyword list or an answer with nothing asserted fails.
    Under ``min_words`` an answer fails as too_short unless it passes and has at least three
    quarters of the minimum (ten good words meet a twelve-word bar, flagged for review)."""
    if is_keyword_dump(text):
        return Outcome(False, C.GOOD, "", "keyword_list")
    sentences = answer_sentences(text, given) if sentences is None else sentences
    if not sentences:
        return Outcome(False, C.GOOD, "", "missing")
    for item in spec.none_of:
        said = find_item(book, item, sentences)
        if said:
            return Outcome(False, C.GOOD, said[0].text, "said_forbidden")
    verdict = ANALYZERS[spec.analyzer](sentences, book, spec)
    words = sum(len(s.words) for s in sentences)
    if spec.min_words and words < spec.min_words:
        if not verdict.passed or words < max(SHORT_BUT_COMPLETE, math.ceil(0.75 * spec.min_words)):
            return Outcome(False, C.FAIR, _evidence(sentences, 1), "too_short")
        verdict.confidence = min(verdict.confidence, C.LOW)
    if any(s.cut for s in sentences):  # a run-on without sentence ends: let a person look
        verdict.confidence = min(verdict.confidence, C.VERY_LOW)
        verdict.detail = (
            verdict.detail + " Parts of the answer run on without sentence ends; a person will review this."
        ).strip()
    return verdict


__all__ = ["ANALYZERS", "analyze", "answer_sentences"]
