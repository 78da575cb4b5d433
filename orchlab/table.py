"""``orchlab table``: the module's compound-reliability table, analytic beside simulated."""

from __future__ import annotations

from orchlab.args import setting, whole
from orchlab.output import emit
from simulator.params import Run
from simulator.settings import default_of, spec_of

NAME = "table"
#: A cell reads to the percent, which takes some hundreds of trials; the most is a run's most.
MIN_CELL_TRIALS = 100
CELL_TRIALS = 100_000


def register(subparsers):
    tab = subparsers.add_parser(
        NAME,
        help="print the compound reliability table, analytic beside simulated",
        description="The compound reliability table: per-agent 85-99 % by chains of 3, 5 and 8.",
    )
    most = spec_of(Run, "trials").high
    tab.add_argument(
        "--trials",
        type=whole(MIN_CELL_TRIALS, most),
        default=CELL_TRIALS,
        help=f"trials per cell, {MIN_CELL_TRIALS} to {most:,} (default {CELL_TRIALS:,})",
    )
    seed = spec_of(Run, "seed")
    tab.add_argument("--seed", type=setting(seed), default=default_of(Run, "seed"), help=f"{seed.help} (default 0)")
    tab.add_argument("--format", choices=("json", "table"), default="table", help="output format (default table)")
    return tab


def run(args) -> int:
    from simulator.runner import compound_table

    frame = compound_table(trials=args.trials, seed=args.seed)
    rows = frame[["reliability", "agents", "analytic", "simulated"]].to_dict("records")

    def table():
        wide = frame.assign(cell=[f"{a:4.0%} | {s:4.0%}" for a, s in zip(frame.analytic, frame.simulated)])
        grid = wide.pivot(index="reliability", columns="agents", values="cell")
        grid.index = [f"{p:.0%}" for p in grid.index]
        grid.columns = [f"{n}-agent chain (analytic | simulated)" for n in grid.columns]
        return grid.to_string()

    emit(rows, args.format, table)
    return 0
