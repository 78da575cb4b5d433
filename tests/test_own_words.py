"""The kit teaches the course module's facts in its own words: no eight-word run of the module's
text may appear in any lesson, exercise, rubric, doc or source file."""

import json
import re

import pytest

from tests.helpers import ROOT

MODULE = ROOT.parent / "shared" / "seeds" / "000_02c1d10e15a49faa.txt"
RUN = 8
KIT_TEXT = (".py", ".md", ".ipynb", ".yaml", ".yml", ".txt")


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9%.]+", text.lower())


def runs(text: str) -> set[str]:
    w = words(text)
    return {" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}


def kit_files():
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if (
            path.is_file()
            and path.suffix in KIT_TEXT
            and not any(
                p.startswith(".") or p in {"test-artifacts", "build"} or p.endswith(".egg-info") for p in rel.parts
            )
        ):
            yield path


@pytest.mark.skipif(not MODULE.exists(), reason=f"the course module is not beside the repository ({MODULE})")
def test_no_sentence_is_copied_from_the_module():
    module = runs(MODULE.read_text(encoding="utf-8"))
    copied = {}
    for path in kit_files():
        text = path.read_text(encoding="utf-8", errors="ignore")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
        overlap = runs(text) & module
        if overlap:
            copied[str(path.relative_to(ROOT))] = sorted(overlap)[:3]
    assert not copied, f"text taken word for word from the course module: {copied}"
