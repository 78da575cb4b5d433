"""``orchlab incident``: real agents investigate the warehouse's incidents; measured beside predicted.

The JSON object is a contract relied on outside the project: ``runs``, ``measured`` and
``predicted`` (each with ``success_rate``, ``silent_failure_rate``, ``detected_failure_rate``
and their ``_ci``), ``agents`` (``name``, ``reliability``, ``reliability_ci``,
``silent_share``), ``warehouse`` and ``seconds``. Keep it exactly.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from orchlab.args import fail, probability, whole
from orchlab.output import emit

NAME = "incident"
RATES = ("success_rate", "silent_failure_rate", "detected_failure_rate")


def register(subparsers):
    inc = subparsers.add_parser(
        NAME,
        help="run real agents on the incident warehouse and put the simulator's prediction beside them",
        description="Investigate the warehouse's incidents with real agents and real checks, then compare "
        "the measured outcome shares with the simulator's prediction from the measured rates.",
    )
    inc.add_argument("--runs", type=whole(1, 1_000_000), default=200, help="investigations to run (default 200)")
    inc.add_argument("--seed", type=whole(0), default=0, help="random seed, a whole number of at least 0 (default 0)")
    inc.add_argument("--pattern", choices=("sequential", "hybrid"), default="hybrid", help="default hybrid")
    inc.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="AGENT=P[:S]",
        help="agent reliability P and silent share S of its failures (S default 0.5); repeatable",
    )
    inc.add_argument("--validate", action="store_true", help="validate every hand-off against its pydantic contract")
    inc.add_argument("--completeness", action="store_true", help="cross-check claims against independent SQL")
    inc.add_argument(
        "--checkpoints",
        nargs="?",
        const="",
        metavar="PATH",
        help="write accepted hand-offs to a SQLite file (default beside the warehouse)",
    )
    inc.add_argument("--retries", type=whole(0, 20), default=0, help="retries with backoff, 0 to 20 (default 0)")
    inc.add_argument("--human-gate", action="store_true", help="a SIMULATED reviewer before the result is used")
    inc.add_argument(
        "--human-catch", type=probability, default=0.7, help="the simulated reviewer's catch rate (default %(default)s)"
    )
    inc.add_argument("--warehouse", metavar="PATH", help="the DuckDB warehouse: reused if there, else built there")
    inc.add_argument(
        "--agent",
        action="append",
        default=[],
        metavar="ROLE=MODULE:FUNCTION",
        help="replace a scripted agent with your own callable (a module or a .py file); repeatable",
    )
    inc.add_argument("--format", choices=("json", "table"), default="table", help="output format (default table)")
    return inc


def _load_agent(spec: str):
    """``ROLE=MODULE:FUNCTION`` (or ``ROLE=path/to/file.py:FUNCTION``) to (role, callable), or ValueError."""
    import importlib
    import importlib.util

    role, sep, target = spec.partition("=")
    module_name, colon, function = target.rpartition(":")
    if not sep or not colon or not module_name or not function:
        raise ValueError(f"--agent {spec}: must look like ROLE=MODULE:FUNCTION")
    try:
        if module_name.endswith(".py"):
            where = importlib.util.spec_from_file_location(Path(module_name).stem, module_name)
            if where is None or not Path(module_name).is_file():
                raise ImportError(f"no such file {module_name}")
            module = importlib.util.module_from_spec(where)
            where.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except Exception as exc:
        raise ValueError(f"--agent {spec}: cannot load {module_name} ({type(exc).__name__}: {exc})") from None
    if not hasattr(module, function):
        raise ValueError(f"--agent {spec}: {module_name} has no {function}")
    return role.strip(), getattr(module, function)


def _probe(path, cast, role: str, spec: str) -> None:
    """Run a user agent once on the worked example; a wrong return type or an exception is bad input."""
    from incident_lab import WORKED_EXAMPLE, Investigation

    with Investigation(path, "sequential", cast=cast) as inv:
        record = inv.investigate(WORKED_EXAMPLE)
    errors = [a.error for a in record.attempts if a.role == role and a.error]
    if errors:
        raise ValueError(f"--agent {spec}: failed on the worked example: {errors[0]}")
    if role not in [a.role for a in record.attempts]:
        raise ValueError(f"--agent {spec}: never ran, because an earlier agent failed on the worked example")


def run(args) -> int:
    import time

    from incident_lab import (
        DefenseSettings,
        FaultPlan,
        ProtocolError,
        WarehouseError,
        build_warehouse,
        ensure_warehouse,
        make_cast,
        predicted,
        shadow_run,
    )

    started = time.perf_counter()
    faults = FaultPlan.parse(args.fault)  # ParameterError -> one line naming --fault
    default_home = Path(tempfile.gettempdir()) / f"orchlab-incident-lab-seed{args.seed}.duckdb"
    path = Path(args.warehouse) if args.warehouse else default_home
    try:
        path = ensure_warehouse(path, args.seed)
    except WarehouseError as exc:
        if args.warehouse:
            return fail(NAME, f"--warehouse {exc}")
        path = build_warehouse(path, args.seed)  # our own cache, left by another version: rebuild it
    try:
        loaded = dict(_load_agent(spec) for spec in args.agent)
        cast = make_cast(**loaded)
        for spec in args.agent:
            role = spec.partition("=")[0].strip()
            _probe(path, cast, role, spec)
    except (ValueError, ProtocolError) as exc:
        return fail(NAME, str(exc) if str(exc).startswith("--agent") else f"--agent: {exc}")
    checkpoints = None
    if args.checkpoints is not None:
        checkpoints = args.checkpoints or f"{path}.checkpoints.sqlite"
    defenses = DefenseSettings(
        validate=args.validate,
        completeness=args.completeness,
        checkpoints=checkpoints,
        retries=args.retries,
        human_gate=args.human_gate,
        human_catch=args.human_catch,
    )
    report = shadow_run(path, args.runs, args.seed, args.pattern, faults, defenses, cast)
    model = predicted(report, seed=args.seed)
    measured = report.measured()
    payload = {
        "runs": report.runs,
        "measured": {k: measured[k] for k in RATES} | {f"{k}_ci": measured[f"{k}_ci"] for k in RATES},
        "predicted": {k: model[k] for k in RATES} | {f"{k}_ci": model[f"{k}_ci"] for k in RATES},
        "agents": report.agents(),
        "warehouse": str(path.resolve()),
        "seconds": round(time.perf_counter() - started, 3),
    }
    emit(payload, args.format, lambda: _table(payload, report))
    return 0


def _table(payload: dict, report) -> str:
    lines = [
        f"{payload['runs']} investigations, {report.pattern} pattern, warehouse {payload['warehouse']}",
        f"  {'outcome':<17} {'measured':>9} {'95% CI':>17}   {'predicted':>9}",
    ]
    for key, label in zip(RATES, ("correct", "silent failure", "detected failure")):
        low, high = payload["measured"][f"{key}_ci"]
        lines.append(
            f"  {label:<17} {payload['measured'][key]:9.2%} {low:8.2%}-{high:7.2%}   {payload['predicted'][key]:9.2%}"
        )
    lines.append("  agent          first-attempt reliability (95% CI)    silent share")
    for a in payload["agents"]:
        rel = "   n/a" if a["reliability"] is None else f"{a['reliability']:6.1%}"
        low, high = a["reliability_ci"]
        lines.append(f"  {a['name']:<14} {rel} ({low:.1%} to {high:.1%})              {a['silent_share']:.0%}")
    lines.append("  catches by check and kind of wrong output:")
    for row in report.catch_rates():
        lines.append(f"    {row['check']:<13} {row['fault']:<22} {row['caught']:>4}/{row['wrong_outputs']:<4}")
    lines.append(
        "  (the human gate is a simulated reviewer with a stated catch rate)" if report.defenses.human_gate else ""
    )
    lines.append(f"  {payload['seconds']:.1f} s")
    return "\n".join(line for line in lines if line)
