"""``orchlab simulate``: run a pattern or a scenario and print its outcome rates.

Each number flag is a field of the simulator's parameter dataclasses: its range, its default and
its help come from that field's spec (``simulator.settings``), so they are stated once.
"""

from __future__ import annotations

import math

from orchlab.args import fail, scenario_source, setting
from orchlab.output import emit
from simulator.params import PATTERNS, Agent, Defenses, Run, Scenario
from simulator.settings import default_of, spec_of

NAME = "simulate"
#: flag -> (parameter dataclass, field): the flag reads its range, default and help from the field.
NUMBER_FLAGS = {
    "--agents": (Run, "agents"),
    "--reliability": (Agent, "reliability"),
    "--silent-share": (Agent, "silent_share"),
    "--catch-rate": (Defenses, "catch_rate"),
    "--retries": (Defenses, "retries"),
    "--correlation": (Scenario, "correlation"),
    "--trials": (Run, "trials"),
    "--seed": (Run, "seed"),
}
#: Flags that size the run rather than set the system; they keep their default in the namespace.
RUN_FLAGS = ("--trials", "--seed")


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def flag_help(owner, field: str) -> str:
    """'per-agent reliability, 0 to 1 (default 0.9)', from the field's spec and default."""
    spec = spec_of(owner, field)
    span = f", {spec.span()}" if hasattr(spec, "span") else ""
    only = f", for {' and '.join(spec.patterns)} only" if 0 < len(spec.patterns) < 3 else ""
    return f"{spec.help}{span}{only} (default {_shown(default_of(owner, field))})"


def register(subparsers):
    sim = subparsers.add_parser(
        NAME,
        help="run a pattern or a scenario and print its outcome rates",
        description="Run trials of a coordination pattern (or a scenario file) and print outcome rates.",
    )
    sim.add_argument("--pattern", choices=PATTERNS, help=flag_help(Run, "pattern"))
    sim.add_argument(
        "--scenario",
        type=scenario_source,
        help="a shipped scenario name (orders_daily) or a YAML file; replaces --pattern/--agents",
    )
    for flag, (owner, field) in NUMBER_FLAGS.items():
        default = default_of(owner, field) if flag in RUN_FLAGS else None
        sim.add_argument(flag, type=setting(spec_of(owner, field)), default=default, help=flag_help(owner, field))
    sim.add_argument("--fan-in", type=setting(spec_of(Scenario, "fan_in")), help=flag_help(Scenario, "fan_in"))
    sim.add_argument("--redundant", action="store_true", help=spec_of(Scenario, "redundant").help)
    sim.add_argument("--human-gate", action="store_true", help=spec_of(Defenses, "human_gate").help)
    sim.add_argument("--completeness", action="store_true", help=spec_of(Defenses, "completeness").help)
    sim.add_argument(
        "--engine", choices=("auto", "vectorised", "simpy"), default="auto", help="simulation engine (default auto)"
    )
    sim.add_argument("--format", choices=("json", "table"), default="table", help="output format (default table)")
    return sim


def run(args) -> int:
    from simulator.runner import simulate

    settings = dict(
        pattern=args.pattern,
        agents=args.agents,
        reliability=args.reliability,
        silent_share=args.silent_share,
        catch_rate=args.catch_rate,
        retries=args.retries,
        correlation=args.correlation,
        fan_in=args.fan_in,
        # a switch left off is not passed, so it is never refused on a pattern it does not apply to
        redundant=args.redundant or None,
        human_gate=args.human_gate or None,
        completeness=args.completeness or None,
    )
    # flags left out are None: the scenario's values (or the dataclass defaults) stand
    result = simulate(args.scenario, trials=args.trials, seed=args.seed, engine=args.engine, **settings)
    stats = result.stats()
    odd = [k for k, v in stats.items() if isinstance(v, float) and not math.isfinite(v)]
    if odd:
        return fail(NAME, f"the run gave a figure that is not a finite number ({odd[0]}); shorten its durations")

    def table():
        lines = [f"{result.scenario.name}: {stats['pattern']} pattern, {stats['trials']} trials, seed {stats['seed']}"]
        for key, label in (
            ("success_rate", "correct"),
            ("silent_failure_rate", "silent failure"),
            ("detected_failure_rate", "detected failure"),
        ):
            low, high = stats[f"{key}_ci"]
            lines.append(f"  {label:<17} {stats[key]:7.2%}   95% CI {low:.2%} to {high:.2%}")
        if stats["mean_latency"] is None:  # e.g. a mesh that missed every event
            lines.append("  mean latency      none (no trial finished)")
        else:
            lines.append(
                f"  mean latency      {stats['mean_latency']:.2f} s "
                f"(p50 {stats['latency_p50']:.2f}, p90 {stats['latency_p90']:.2f})"
            )
        lines.append(f"  mean agent calls  {stats['mean_calls']:.2f}")
        return "\n".join(lines)

    emit(stats, args.format, table)
    return 0
