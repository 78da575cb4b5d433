"""Language cues shared by the analyzers: choosing, rejecting, hedging, asking.

These are rules about English, not about the course, so they live in code; the course's
vocabulary (what counts as "fan-out" or "a source table name") lives in the rubric YAML.
"""

from __future__ import annotations

import re

# "I'd use ...", "we recommend ...", "go with ...", "the right pattern is ...", "My pick is ..."
CHOICE = re.compile(
    r"\b(?:(?:i|we)(?:'d|’d| would| will|'ll|’ll| am| are|'m|’m| should)\s+(?:\w+\s+)?"
    r"(?:use|go|pick|choose|choosing|recommend|opt|run|build|structure|design|dispatch|fan|launch|start|treat|have|"
    r"model|set|put|start|let|add|keep|make|combine|write|implement|create|schedule|ship|deploy|code|wire|do)|recommend\w*|suggest\w*|my (?:pick|choice|recommendation)|the choice is|best fit\w*|fits best|"
    r"best fits|fits here|fits this|(?:the )?right (?:pattern|choice|shape|fit|approach|call)|is the answer|go with|opt for|"
    r"should (?:run|use|be|go|fan|dispatch)|pattern is|ideal(?:ly)?|well[- ]suited|works best|i'?d pick|"
    r"(?:is|are|would be|will be) (?:quite |more than |plenty )?enough|suffices?|would do(?! \w)|will do(?! \w))\b"
)
# A label that introduces the design: "Pattern: ...", "Recommended pattern: ..."
LABEL = re.compile(
    r"^(?:(?:\d+\.\s*)?(?:recommended |chosen |my )?(?:pattern|design|approach|choice|recommendation|answer|"
    r"architecture))\b\s*[:.;,-]"
)
# Sentence openers that state the design: "Use ...", "Dispatch ..."
OPENER = re.compile(r"^(?:use|run|dispatch|fan|launch|start|kick|send|go with|have|build|treat)\b")
# Hypotheticals and comparisons: a pattern named here is discussed, not chosen.
CONDITIONAL = re.compile(
    r"\b(?:if|were|would|could|might|suppose|supposing|assuming|compared|versus|vs|(?<!rather )than|whereas|otherwise|"
    r"alternatively|hypothetically|flips?|change that|later)\b"
)
# A sentence that opens with a condition describes another situation: "If the job also had to
# diagnose, I'd add one agent" names what would be chosen then, not now.
HYPOTHETICAL_OPENING = re.compile(r"^(?:if|when|whenever|should|once|unless|suppose|in case|only if)\b")
# What follows an option named as the answer's headline: "Plain rule - ...", "Fan-out: ...".
HEADLINE_END = re.compile(r"\s*(?:[:.(—–]|\s-\s|$)")
# Reliability talk: a pattern named in a sentence about the math is the comparison the task asks for.
MATH_TALK = re.compile(
    r"(?<!\d)\d*\.\d+|\d\s*%|\^|\b(?:reliab\w*|probab\w*|product|multipl\w*|odds|chance|succe\w*|slowest|longest|latency|wall[- ]?clock|"
    r"retr\w*|re-?run\w*|same(?!\s+(?:time|moment))|percent|per cent|still need\w*|requirement|isolat\w*|cascad\w*|propagat\w*|math)\b"
)
# A pattern named in a clause with one of these is being turned down.
REJECTION = re.compile(
    r"\b(?:wrong|poor(?: (?:fit|choice|match))?|bad (?:fit|idea|choice)|overkill|unsuitable|inappropriate|unnecessary|"
    r"a mistake|tempting|ruled? out|rejected|not (?:a good|the right|suited|needed|necessary|appropriate|ideal|a fit|"
    r"fit|worth)|(?:does|do|would|will|is|are)(?:n't|n’t| not) (?:fit|work|suit|need|help|make sense|be needed|needed|"
    r"necessary)|no need|not worth|adds? (?:coordination )?overhead|over-?engineer\w*|"
    r"(?:is|are|be|was)(?:n't|n’t)? not (?:so |very |really |that )?(?:good|great|best|suitable|useful|efficient|optimal)|"
    r"not (?:so |very |really )?(?:good|great|the best|suitable|useful|efficient|optimal)|(?:is|are) bad|no good|"
    r"(?:is|are|be|was) (?:just |pure |mostly |all |needless |extra )?overhead|not enough|too (?:much|many|heavy|complex|"
    r"expensive|costly|slow)|"
    r"(?:do|does|did)(?:n't|n’t| not)? not need)\b"
)
# Negation or displacement shortly before a pattern name: "not", "rather than", "instead of", "avoid".
PATTERN_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|without|avoid\w*|against|instead of|rather than|as opposed to|over|"
    r"\w+n[’']t|cannot|skip\w*)\b"
)
# The learner quoting or restating the task instead of answering it.
PROMPT_LIKE = re.compile(
    r"^(?:walk me through|which (?:of the |coordination )?\w*\s*pattern|which pattern|what (?:specific )?output|"
    r"what should|then list|list what|i'?m designing|i am designing|i need (?:three|3)|explain|describe|"
    r"how would (?:i|you|we)|tell me|please)\b"
)
# Someone else's view, reported rather than held: "some would say event sourcing ...".
HEARSAY = re.compile(
    r"\b(?:some (?:people |teams |folks )?(?:would|might|may|could)? ?(?:say|argue|suggest|recommend|prefer|reach for)|"
    r"one could (?:argue|say)|others? (?:would |might )?(?:say|suggest|argue)|you might think|it is tempting|"
    r"it'?s tempting|people often)\b"
)
# A line of code, not a statement: "from pydantic import BaseModel" proves nothing about a design.
CODE_LINE = re.compile(r"^(?:from\s+[\w.]+\s+import\b|import\s+[\w.]+(?:\s+as\s+\w+)?\s*(?:#|$))")
# Said after a control, these set it aside: "validation at every hand-off is overkill".
DISMISSAL = re.compile(
    r"\b(?:overkill|unnecessary|not needed|(?:is|are)(?:n't|n’t| not) needed|no need|not worth|too slow|"
    r"slows? (?:things|it|us|everything) down|adds? (?:too much )?overhead|(?:is|are) a waste|over-?engineer\w*)\b"
)
