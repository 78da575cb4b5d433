"""The model's rules, written once, for one trial (scalars) or for many at once (numpy arrays).

Both engines and the closed forms call these functions; none of them restates a rule. A payload
is a *kind code*: ``NO_KIND`` (-1) when it is right, else the index of its degradation in
:data:`DEGRADATIONS`. Each function is plain arithmetic or indexing, so the same line serves a
Python ``bool``/``int``/``float`` and a numpy array of them.

* an attempt is right with ``reliability``; a wrong one is silent with ``silent_share`` (a
  well-formed payload of some degradation kind) and loud otherwise (seen at once);
* a wrong input is handed on unchanged unless the attempt fails loudly;
* a hand-off rejects a wrong payload with its kind's catch probability and a right one with
  ``false_reject_rate``;
* the fan-in needs ``quorum`` delivered branches; fewer than all distinct subtasks is an
  incomplete synthesis, flagged by completeness signals or else passed on as a missing field;
* the human gate stops a wrong result with ``human_catch_rate``.
"""

from __future__ import annotations

import numpy as np

from .params import COUNT_VISIBLE, DEGRADATIONS, OUTCOMES, Defenses

NO_KIND = -1
MISSING_FIELD = DEGRADATIONS.index("missing_field")
#: what one attempt did
RIGHT, SILENT, LOUD = 0, 1, 2
#: outcome codes, indices into OUTCOMES
CORRECT, SILENT_FAILURE, DETECTED_FAILURE = (
    OUTCOMES.index(o) for o in ("correct", "silent_failure", "detected_failure")
)
#: what the fan-in does with the branches that delivered
WHOLE, SHORT, INCOMPLETE_FLAGGED, INCOMPLETE_PASSED = 0, 1, 2, 3


def kind_code(kind: str | None) -> int:
    """The code of a degradation name (None, a right payload, is ``NO_KIND``)."""
    return NO_KIND if kind is None else DEGRADATIONS.index(kind)


def kind_name(code: int) -> str | None:
    return None if code < 0 else DEGRADATIONS[code]


# --- one attempt -------------------------------------------------------------------------------


def common_cause(u, shared_u, share_draw, correlation):
    """The uniform an attempt uses: the trial's shared draw with probability ``correlation``."""
    use_shared = share_draw < correlation
    if isinstance(use_shared, np.ndarray):
        return np.where(use_shared, shared_u, u)
    return shared_u if use_shared else u


def attempt(u, silent_draw, reliability, silent_share):
    """RIGHT when ``u < reliability``; else SILENT when ``silent_draw < silent_share``; else LOUD."""
    return (u >= reliability) * (LOUD - (silent_draw < silent_share))


def handed_on(in_kind, result, new_kind):
    """The payload a non-loud attempt hands on: a wrong input as it came, else ``new_kind`` if silent."""
    return in_kind + (in_kind < 0) * (result == SILENT) * (new_kind - NO_KIND)


def starts_silent_failure(in_kind, result):
    """True where this attempt is the origin of a wrong payload (silent on a right input)."""
    return (in_kind < 0) * (result == SILENT)


def attempt_probabilities(reliability: float, silent_share: float) -> tuple[float, float, float]:
    """P(RIGHT), P(SILENT), P(LOUD) of one independent attempt: the closed forms' view of :func:`attempt`."""
    return reliability, (1 - reliability) * silent_share, (1 - reliability) * (1 - silent_share)


# --- the hand-off ------------------------------------------------------------------------------


def catch_probability(defenses: Defenses, kind: str) -> float:
    """Chance one hand-off catches a wrong payload of ``kind``: validation, then a completeness
    signal for count-changing kinds, then the checkpoint compared with its baseline."""
    miss = 1.0 - defenses.catch_rate
    if defenses.completeness and kind in COUNT_VISIBLE:
        miss *= 1.0 - defenses.completeness_rate
    if defenses.checkpoints:
        miss *= 1.0 - defenses.baseline_catch_rate
    return 1.0 - miss


def rejection_table(defenses: Defenses) -> tuple[float, ...]:
    """Rejection chance by kind code: one per degradation, then (at index ``NO_KIND``) the false rejects."""
    return tuple(catch_probability(defenses, k) for k in DEGRADATIONS) + (defenses.false_reject_rate,)


def rejected(check_draw, kind, table):
    """Whether the receiver rejects the payload; ``table`` from :func:`rejection_table` (an array for arrays)."""
    return check_draw < table[kind]


def backoff_wait(backoff: float, retry: int) -> float:
    """The wait before retry number ``retry`` (1, 2, ...): exponential backoff."""
    return backoff * 2 ** (retry - 1)


# --- fan-in, the gate, the outcome -------------------------------------------------------------


def fan_in(present, width: int, quorum: int, redundant: bool, completeness: bool):
    """What the fan-in does with ``present`` delivered branches of ``width``.

    SHORT (fewer than ``quorum``: the run ends detected), WHOLE, or for distinct subtasks
    (not ``redundant``) with fewer than all: INCOMPLETE_FLAGGED when completeness signals are
    checked, else INCOMPLETE_PASSED (the synthesis goes out missing a field).
    """
    short = present < quorum
    partial = (present < width) * (not redundant)
    return short * SHORT + (1 - short) * partial * (INCOMPLETE_PASSED - bool(completeness))


def first_wrong(kind, other):
    """Merging two inputs: the first wrong one wins (fold it over branches in branch order)."""
    return kind + (kind < 0) * (other - kind)


def synthesis_input(merged_kind, verdict):
    """The synthesizer's input: the merged branches, or a missing field if incompleteness passed."""
    return first_wrong(merged_kind, (verdict == INCOMPLETE_PASSED) * (MISSING_FIELD - NO_KIND) + NO_KIND)


def gate_stops(kind, draw, human_catch_rate: float):
    """The human gate stops a wrong result when ``draw < human_catch_rate``; a right one passes."""
    return (kind >= 0) * (draw < human_catch_rate)


def outcome_code(detected, kind):
    """CORRECT, SILENT_FAILURE or DETECTED_FAILURE: detected wins, else a wrong result is silent."""
    return detected * DETECTED_FAILURE + (1 - detected) * (kind >= 0) * SILENT_FAILURE
