"""The ``orchlab`` command: simulate, print the reliability table, open the lab.

Bad input prints one line naming the flag and what is allowed, and exits 2.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

from .params import PATTERNS, ParameterError
from .scenarios import ScenarioError

KIT_ROOT = Path(__file__).resolve().parents[1]


class OneLineParser(argparse.ArgumentParser):
    """argparse, but an error is one line on stderr and exit code 2 (no usage dump)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def _number(low: float, high: float, *, low_open=False, kind=float, what="a number"):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {what} (got {text!r})") from None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise argparse.ArgumentTypeError(f"must be a finite number (got {text!r})")
        if value < low or value > high or (low_open and value == low):
            bound = f"above {low}" if low_open else f"from {low}"
            upper = "" if math.isinf(high) else f" to {high}"
            raise argparse.ArgumentTypeError(f"must be {bound}{upper} (got {text})")
        return value
    return parse


probability = _number(0.0, 1.0, what="a probability from 0 to 1")
def whole(low, high=math.inf):  # noqa: E302
    return _number(low, high, kind=int, what="a whole number")


def _emit(payload, fmt: str, table):
    if fmt == "json":
        print(json.dumps(payload, indent=2, default=str))
    else:
        print(table())


def cmd_simulate(args) -> int:
    from .runner import simulate

    settings = dict(reliability=args.reliability, silent_share=args.silent_share, catch_rate=args.catch_rate,
                    retries=args.retries, correlation=args.correlation, fan_in=args.fan_in)
    if args.human_gate:
        settings["human_gate"] = True
    if args.completeness:
        settings["completeness"] = True
    if args.redundant:
        settings["redundant"] = True
    if args.scenario:
        result = simulate(args.scenario, trials=args.trials, seed=args.seed, engine=args.engine, **settings)
    else:
        defaults = dict(reliability=0.9, silent_share=0.5, catch_rate=0.0, retries=0)
        settings = {k: (defaults.get(k) if v is None else v) for k, v in settings.items()}
        result = simulate(pattern=args.pattern, agents=args.agents, trials=args.trials, seed=args.seed,
                          engine=args.engine, **settings)
    stats = result.stats()

    def table():
        lines = [f"{result.scenario.name}: {stats['pattern']} pattern, {stats['trials']} trials, seed {stats['seed']}"]
        for key, label in (("success_rate", "correct"), ("silent_failure_rate", "silent failure"),
                           ("detected_failure_rate", "detected failure")):
            low, high = stats[f"{key}_ci"]
            lines.append(f"  {label:<17} {stats[key]:7.2%}   95% CI {low:.2%} to {high:.2%}")
        lines.append(f"  mean latency      {stats['mean_latency']:.2f} s (p50 {stats['latency_p50']:.2f}, p90 {stats['latency_p90']:.2f})")
        lines.append(f"  mean agent calls  {stats['mean_calls']:.2f}")
        return "\n".join(lines)

    _emit(stats, args.format, table)
    return 0


def cmd_table(args) -> int:
    from .runner import compound_table

    frame = compound_table(trials=args.trials, seed=args.seed)
    rows = frame[["reliability", "agents", "analytic", "simulated"]].to_dict("records")

    def table():
        wide = frame.assign(cell=[f"{a:4.0%} | {s:4.0%}" for a, s in zip(frame.analytic, frame.simulated)])
        grid = wide.pivot(index="reliability", columns="agents", values="cell")
        grid.index = [f"{p:.0%}" for p in grid.index]
        grid.columns = [f"{n}-agent chain (analytic | simulated)" for n in grid.columns]
        return grid.to_string()

    _emit(rows, args.format, table)
    return 0


def cmd_lab(args) -> int:
    notebook = KIT_ROOT / "notebooks" / "00_start_here.ipynb"
    if not notebook.exists():
        raise ParameterError("lab", f"cannot find {notebook}; run orchlab lab from an editable install of the kit")
    command = [sys.executable, "-m", "jupyterlab", str(notebook), f"--ServerApp.root_dir={KIT_ROOT}",
               f"--port={args.port}", f"--ServerApp.ip={args.ip}"]
    if args.no_browser:
        command.append("--no-browser")
    if args.token is not None:
        command.append(f"--IdentityProvider.token={args.token}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI often run as root; Jupyter refuses without this
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0  # pragma: no cover


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="orchlab", description="Orchestration Lab: simulate multi-agent systems and grade exercises.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser, metavar="COMMAND")

    sim = sub.add_parser("simulate", help="run a pattern or a scenario and print its outcome rates",
                         description="Run trials of a coordination pattern (or a scenario file) and print outcome rates.")
    sim.add_argument("--pattern", choices=PATTERNS, default="sequential", help="coordination pattern (default sequential)")
    sim.add_argument("--scenario", help="a shipped scenario name (orders_daily) or a YAML file; replaces --pattern/--agents")
    sim.add_argument("--agents", type=whole(1, 200), default=5, help="number of agents, 1 to 200 (default 5)")
    sim.add_argument("--reliability", type=probability, help="per-agent reliability, 0 to 1 (default 0.9)")
    sim.add_argument("--silent-share", type=probability, help="share of failures that are silent, 0 to 1 (default 0.5)")
    sim.add_argument("--catch-rate", type=probability, help="hand-off validation catch rate, 0 to 1 (default 0)")
    sim.add_argument("--retries", type=whole(0, 20), help="retries after a detected failure, 0 to 20 (default 0)")
    sim.add_argument("--correlation", type=probability, help="common-cause failure share, 0 to 1 (default 0)")
    sim.add_argument("--fan-in", help="fan-in policy for fanout/hybrid: all, any or quorum:K (default all)")
    sim.add_argument("--redundant", action="store_true", help="fan-out branches are replicas of one task, not distinct subtasks")
    sim.add_argument("--human-gate", action="store_true", help="put a human review before the result is acted on")
    sim.add_argument("--completeness", action="store_true", help="cross-check completeness signals at each hand-off")
    sim.add_argument("--trials", type=whole(1, 5_000_000), default=10_000, help="trials, 1 to 5,000,000 (default 10,000)")
    sim.add_argument("--seed", type=whole(0), default=0, help="random seed, a whole number of at least 0 (default 0)")
    sim.add_argument("--engine", choices=("auto", "vectorised", "simpy"), default="auto", help="simulation engine (default auto)")
    sim.add_argument("--format", choices=("json", "table"), default="table", help="output format (default table)")
    sim.set_defaults(func=cmd_simulate)

    tab = sub.add_parser("table", help="print the compound reliability table, analytic beside simulated",
                         description="The compound reliability table: per-agent 85-99 % by chains of 3, 5 and 8.")
    tab.add_argument("--trials", type=whole(100, 5_000_000), default=100_000, help="trials per cell (default 100,000)")
    tab.add_argument("--seed", type=whole(0), default=0, help="random seed (default 0)")
    tab.add_argument("--format", choices=("json", "table"), default="table", help="output format (default table)")
    tab.set_defaults(func=cmd_table)

    lab = sub.add_parser("lab", help="open JupyterLab on the first lesson", description="Open JupyterLab on notebooks/00_start_here.ipynb.")
    lab.add_argument("--port", type=whole(1, 65535), default=8888, help="port to listen on (default 8888)")
    lab.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    lab.add_argument("--token", help="access token (default: Jupyter makes one)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.set_defaults(func=cmd_lab)

    for module in ("grader.cli", "explorers.demo"):
        try:
            register = __import__(module, fromlist=["register"]).register
        except (ImportError, AttributeError):
            continue
        register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ParameterError as exc:
        flag = "--" + exc.field.replace("_", "-")
        name = flag if flag in parser._subparsers._group_actions[0].choices[args.command]._option_string_actions else exc.field
        print(f"orchlab {args.command}: error: {name}: {exc.reason}", file=sys.stderr)
        return 2
    except ScenarioError as exc:
        print(f"orchlab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
