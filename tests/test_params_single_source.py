"""Each range and default is written once, on the parameter dataclass field, and read everywhere.

The proof narrows one field's range in its metadata and watches the Python check, the YAML
loader, the CLI flag and its help all follow, with nothing else changed.
"""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from orchlab import simulate as simulate_command
from orchlab.main import build_parser, main
from simulator import ParameterError, ScenarioError, load_scenario, uniform_scenario
from simulator.params import Agent, Defenses, Run, Scenario
from simulator.settings import Number, default_of, spec_of


def help_of(flag: str) -> str:
    """The help text of ``flag`` in ``orchlab simulate --help``, on one line."""
    text = " ".join(build_parser()[1]["simulate"].format_help().split())
    start = text.index(f" {flag} {flag.strip('-').replace('-', '_').upper()} ") + 1
    end = text.find(" --", start + len(flag))  # the next flag; no help text holds " --"
    return text[start : end if end > 0 else len(text)].split(" ", 2)[2]


@pytest.mark.parametrize("flag", simulate_command.NUMBER_FLAGS)
def test_every_number_flag_states_its_fields_range_and_default(flag):
    owner, name = simulate_command.NUMBER_FLAGS[flag]
    spec = spec_of(owner, name)
    text = help_of(flag)
    assert text.startswith(spec.help) and spec.span() in text
    default = default_of(owner, name)
    assert f"(default {default:,})" in text if isinstance(default, int) else f"(default {default:g})" in text


def test_narrowing_a_range_in_the_dataclass_moves_every_reader(monkeypatch, tmp_path, capsys):
    """Change only the metadata of ``Agent.reliability``: the dataclass, the YAML and the CLI all follow."""
    narrowed = dataclasses.replace(spec_of(Agent, "reliability"), low=0.5, probability=False)
    monkeypatch.setattr(Agent.__dataclass_fields__["reliability"], "metadata", {"spec": narrowed})

    with pytest.raises(ParameterError, match=r"reliability: must be a number from 0\.5 to 1"):
        Agent("a", reliability=0.3)
    path = tmp_path / "low.yaml"
    path.write_text("name: low\npattern: sequential\nagents: [{name: a, reliability: 0.3}]\n")
    with pytest.raises(ScenarioError, match=r"agents\.0\.reliability: must be a number from 0\.5 to 1 \(got 0\.3\)"):
        load_scenario(path)
    with pytest.raises(SystemExit):
        main(["simulate", "--reliability", "0.3"])
    assert "--reliability: must be a number from 0.5 to 1 (got 0.3)" in capsys.readouterr().err
    assert "0.5 to 1 (default 0.9)" in help_of("--reliability")


def test_changing_a_default_in_the_dataclass_changes_the_runs(monkeypatch):
    monkeypatch.setattr(Agent.__dataclass_fields__["silent_share"], "default", 0.25)
    assert default_of(Agent, "silent_share") == 0.25
    assert "(default 0.25)" in help_of("--silent-share")


def test_the_defaults_of_the_python_api_are_the_fields_defaults():
    """``uniform_scenario`` and ``simulate`` take their defaults from the fields, not from literals."""
    signature = inspect.signature(uniform_scenario).parameters
    for name, owner in (
        ("pattern", Run),
        ("agents", Run),
        ("reliability", Agent),
        ("silent_share", Agent),
        ("catch_rate", Defenses),
        ("retries", Defenses),
    ):
        assert signature[name].default == default_of(owner, name)
    from simulator.runner import simulate

    assert inspect.signature(simulate).parameters["trials"].default == default_of(Run, "trials")
    # the README's documented defaults
    assert (default_of(Agent, "silent_share"), default_of(Defenses, "catch_rate")) == (0.5, 0.0)
    assert (default_of(Defenses, "retries"), default_of(Agent, "reliability")) == (0, 0.9)


def test_one_validation_technology():
    """The scenario loader does not use pydantic: YAML values go through the dataclasses' specs."""
    import simulator.scenarios as scenarios

    source = inspect.getsource(scenarios)
    assert "pydantic" not in source and "BaseModel" not in source
    for cls in (Agent, Defenses, Scenario, Run):
        assert all("spec" in f.metadata for f in dataclasses.fields(cls) if f.name not in ("contracts", "context"))


def test_a_number_spec_reads_text_as_the_flags_do():
    spec = Number(low=0, high=20, whole=True)
    assert spec.parse("x", "7") == 7 and spec.load("x", "7") == 7 and spec.check("x", 7.0) == 7
    for text in ("𝟕", "٧", "7.5", "", "1e1", "9" * 5000):
        with pytest.raises(ParameterError):
            spec.parse("x", text)
