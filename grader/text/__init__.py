"""The transparent free-text engine: sentences, concepts, negation, numbers and analyzers.

Nothing here is a black box: every decision comes from a synonym set or pattern in the
rubric, a negation rule, or a number read from the learner's own sentence, and each
result carries the sentence that earned it.
"""

from .analyzers import ANALYZERS, analyze, answer_sentences
from .concepts import Concept, ConceptBook
from .given import GivenText, fingerprint
from .normalize import Sentence, is_keyword_dump, split_sentences
from .numbers import find_numbers, parse_number_words, read_claims

__all__ = [
    "ANALYZERS",
    "answer_sentences",
    "GivenText",
    "fingerprint",
    "analyze",
    "Concept",
    "ConceptBook",
    "Sentence",
    "split_sentences",
    "is_keyword_dump",
    "find_numbers",
    "parse_number_words",
    "read_claims",
]
