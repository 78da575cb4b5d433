"""``orchlab simulate``: run a pattern or a scenario and print its outcome rates."""

from __future__ import annotations

from orchlab.args import probability, whole
from orchlab.output import emit
from simulator.params import PATTERNS

NAME = "simulate"


def register(subparsers):
    sim = subparsers.add_parser(
        NAME,
        help="run a pattern or a scenario and print its outcome rates",
        description="Run trials of a coordination pattern (or a scenario file) and print outcome rates.",
    )
    sim.add_argument(
        "--pattern", choices=PATTERNS, default="sequential", help="coordination pattern (default sequential)"
    )
    sim.add_argument(
        "--scenario", help="a shipped scenario name (orders_daily) or a YAML file; replaces --pattern/--agents"
    )
    sim.add_argument("--agents", type=whole(1, 200), default=5, help="number of agents, 1 to 200 (default 5)")
    sim.add_argument("--reliability", type=probability, help="per-agent reliability, 0 to 1 (default 0.9)")
    sim.add_argument("--silent-share", type=probability, help="share of failures that are silent, 0 to 1 (default 0.5)")
    sim.add_argument("--catch-rate", type=probability, help="hand-off validation catch rate, 0 to 1 (default 0)")
    sim.add_argument("--retries", type=whole(0, 20), help="retries after a detected failure, 0 to 20 (default 0)")
    sim.add_argument("--correlation", type=probability, help="common-cause failure share, 0 to 1 (default 0)")
    sim.add_argument("--fan-in", help="fan-in policy for fanout/hybrid: all, any or quorum:K (default all)")
    sim.add_argument(
        "--redundant", action="store_true", help="fan-out branches are replicas of one task, not distinct subtasks"
    )
    sim.add_argument("--human-gate", action="store_true", help="put a human review before the result is acted on")
    sim.add_argument("--completeness", action="store_true", help="cross-check completeness signals at each hand-off")
    sim.add_argument(
        "--trials", type=whole(1, 5_000_000), default=10_000, help="trials, 1 to 5,000,000 (default 10,000)"
    )
    sim.add_argument("--seed", type=whole(0), default=0, help="random seed, a whole number of at least 0 (default 0)")
    sim.add_argument(
        "--engine", choices=("auto", "vectorised", "simpy"), default="auto", help="simulation engine (default auto)"
    )
    sim.add_argument("--format", choices=("json", "table"), default="table", help="output format (default table)")
    return sim


def run(args) -> int:
    from simulator.runner import simulate

    settings = dict(
        reliability=args.reliability,
        silent_share=args.silent_share,
        catch_rate=args.catch_rate,
        retries=args.retries,
        correlation=args.correlation,
        fan_in=args.fan_in,
    )
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
        result = simulate(
            pattern=args.pattern, agents=args.agents, trials=args.trials, seed=args.seed, engine=args.engine, **settings
        )
    stats = result.stats()

    def table():
        lines = [f"{result.scenario.name}: {stats['pattern']} pattern, {stats['trials']} trials, seed {stats['seed']}"]
        for key, label in (
            ("success_rate", "correct"),
            ("silent_failure_rate", "silent failure"),
            ("detected_failure_rate", "detected failure"),
        ):
            low, high = stats[f"{key}_ci"]
            lines.append(f"  {label:<17} {stats[key]:7.2%}   95% CI {low:.2%} to {high:.2%}")
        lines.append(
            f"  mean latency      {stats['mean_latency']:.2f} s "
            f"(p50 {stats['latency_p50']:.2f}, p90 {stats['latency_p90']:.2f})"
        )
        lines.append(f"  mean agent calls  {stats['mean_calls']:.2f}")
        return "\n".join(lines)

    emit(stats, args.format, table)
    return 0
