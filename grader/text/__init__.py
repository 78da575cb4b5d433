"""The transparent free-text engine: sentences, concepts, negation, numbers and analyzers.

Nothing here is a black box: every decision comes from a synonym set or pattern in the
rubric, a negation rule, or a number read from the learner's own sentence, and each
result carries the sentence that earned it.
"""

from .analyzers import ANALYZERS, TextVerdict, analyze
from .concepts import Concept, ConceptBook
from .normalize import Sentence, is_keyword_dump, split_sentences
from .numbers import find_numbers, parse_number_words, read_claims

__all__ = [
    "ANALYZERS",
    "TextVerdict",
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
