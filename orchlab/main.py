"""``orchlab``: the kit's one command, with a subcommand per module of this package.

Each subcommand module has ``NAME``, ``register(subparsers)`` returning its parser, and
``run(args)`` returning the exit code. The packages a subcommand drives are imported inside its
``run``, so a package that fails to import is reported by that subcommand alone, in one line.
"""

from __future__ import annotations

import sys

from orchlab import demo, grade, incident, lab, rubric, simulate, table, warehouse
from orchlab.args import OneLineParser, fail

COMMANDS = (simulate, table, lab, demo, grade, rubric, incident, warehouse)


def build_parser() -> tuple[OneLineParser, dict[str, OneLineParser]]:
    """The ``orchlab`` parser and each subcommand's own parser, by name."""
    parser = OneLineParser(
        prog="orchlab", description="Orchestration Lab: simulate multi-agent systems, run the lessons, grade exercises."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser, metavar="COMMAND")
    parsers = {}
    for command in COMMANDS:
        parsers[command.NAME] = command.register(sub)
        parsers[command.NAME].set_defaults(run=command.run)
    return parser, parsers


def _flag_for(field: str, parser: OneLineParser) -> str:
    flag = "--" + field.replace("_", "-")
    return flag if flag in parser.flags else field


def main(argv: list[str] | None = None) -> int:
    parser, parsers = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        return fail(args.command, "ran out of memory; ask for fewer trials or agents")
    except ImportError as exc:
        return fail(
            args.command, f"cannot load what this command needs ({exc}); reinstall the kit with `make install`", 1
        )
    except Exception as exc:
        from simulator.params import ParameterError
        from simulator.scenarios import ScenarioError

        if isinstance(exc, ParameterError):
            return fail(args.command, f"{_flag_for(exc.field, parsers[args.command])}: {exc.reason}")
        if isinstance(exc, ScenarioError):
            return fail(args.command, str(exc))
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
