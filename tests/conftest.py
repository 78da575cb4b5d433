"""Fixtures shared by the suite; importable helpers live in ``tests/helpers.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture
def root() -> Path:
    return ROOT
