"""``python -m bench NAME [options]``: run one benchmark and print its result as the last line of
stdout, one JSON object. Progress goes to stderr. An unknown NAME exits with status 2."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from . import available
from .timing import DEFAULT_REPEAT, DEFAULT_WARMUP


def _parser(names: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run one Bilim benchmark.")
    parser.add_argument("name", metavar="NAME", help="benchmark to run: " + ", ".join(names))
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT, help=f"timed calls per measurement (default {DEFAULT_REPEAT})")
    parser.add_argument("--warmup", type=int, default=DEFAULT_WARMUP, help=f"untimed calls first (default {DEFAULT_WARMUP})")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    names = available()
    parser = _parser(names)
    known, _rest = parser.parse_known_args(argv)
    if known.name not in names:
        print(f"bench: unknown benchmark {known.name!r}; available: {', '.join(names) or '(none)'}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"{__package__}.{known.name}")
    if not callable(getattr(module, "run", None)):
        print(f"bench: bench/{known.name}.py has no run(args)", file=sys.stderr)
        return 2
    if hasattr(module, "add_arguments"):
        module.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0:
        parser.error("--repeat must be ≥ 1 and --warmup ≥ 0")
    result = module.run(args)
    sys.stdout.flush()
    print(json.dumps(result, separators=(",", ":"), default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
