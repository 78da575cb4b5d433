"""The learner's side of the course: which lessons were run and which exercises passed.

Stands alone (imports nothing of the kit), so a lesson, the grader and the start page can all
record and read progress without pulling in the simulator.
"""

from .progress import load, record_exercise, record_lesson

__all__ = ["record_lesson", "record_exercise", "load"]
