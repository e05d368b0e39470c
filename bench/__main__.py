"""``python -m bench NAME [options]``: run one benchmark and print its result as the last line of
stdout, one JSON object. Progress goes to stderr. An unknown NAME exits with status 2."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from . import available
from .timing import DEFAULT_REPEAT, DEFAULT_WARMUP


def _parser(names: list[str], add_help: bool = True) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run one Bilim benchmark.", add_help=add_help)
    parser.add_argument("name", metavar="NAME", help="benchmark to run: " + ", ".join(names))
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help=f"timed calls per measurement (default {DEFAULT_REPEAT})")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help=f"untimed calls first (default {DEFAULT_WARMUP})")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    names = available()
    parser = _parser(names)
    first, _rest = _parser(names, add_help=False).parse_known_args(argv) if any(not a.startswith("-") for a in argv) else (None, None)
    if first is not None:
        if first.name not in names:
            print(f"bench: unknown benchmark {first.name!r}; available: {', '.join(names) or '(none)'}", file=sys.stderr)
            return 2
        module = importlib.import_module(f"{__package__}.{first.name}")
        if not callable(getattr(module, "run", None)):
            print(f"bench: bench/{first.name}.py has no run(args)", file=sys.stderr)
            return 2
        if hasattr(module, "add_arguments"):
            module.add_arguments(parser.add_argument_group(f"{first.name} options"))
    args = parser.parse_args(argv)  # no NAME: usage and exit 2; -h: help and exit 0
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be at least 1 and --warmup at least 0")
    result = module.run(args)
    sys.stdout.flush()
    print(json.dumps(result, separators=(",", ":"), default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
