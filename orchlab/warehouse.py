"""``orchlab warehouse build PATH --seed X``: build the incident lab's DuckDB warehouse on its own."""

from __future__ import annotations

from orchlab.args import fail, whole

NAME = "warehouse"


def register(subparsers):
    wh = subparsers.add_parser(
        NAME,
        help="build the incident lab's DuckDB warehouse",
        description="Build the incident lab's warehouse: raw API tables, SQL models, lineage events, incidents.",
    )
    actions = wh.add_subparsers(dest="action", required=True, metavar="ACTION")
    build = actions.add_parser("build", help="build a warehouse file at PATH (replacing one there)")
    build.add_argument("path", metavar="PATH", help="the DuckDB file to write")
    build.add_argument("--seed", type=whole(0), default=0, help="random seed, a whole number of at least 0 (default 0)")
    return wh


def run(args) -> int:
    import time

    from incident_lab.warehouse import WarehouseError, build_warehouse, open_warehouse

    started = time.perf_counter()
    try:
        path = build_warehouse(args.path, args.seed)
    except (WarehouseError, OSError) as exc:
        return fail(NAME, f"{args.path}: {exc}" if not str(exc).startswith(str(args.path)) else str(exc))
    con = open_warehouse(path)
    incidents = con.execute("SELECT count(*) FROM ops.alerts").fetchone()[0]
    models = con.execute("SELECT count(*) FROM meta.models").fetchone()[0]
    con.close()
    print(
        f"built {path} (seed {args.seed}): {models} models, {incidents} incidents, {time.perf_counter() - started:.1f} s"
    )
    return 0
