"""The ``newslib`` command line.

Errors are one line naming the file, line or entry and what to do; ``--debug``
shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .corpus import LoadError, load_corpus


def _add_corpus_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", default="data", help="folder, export file or zip (default: data)")
    p.add_argument("--errors", choices=["raise", "skip"], default="raise",
                   help="'skip' lists unreadable items in the load report and goes on")
    for role in ("text", "title", "date", "source", "id", "url"):
        p.add_argument(f"--{role}-column", dest=f"{role}_column", default=None,
                       help=f"column holding the {role} in tabular exports")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _columns(args: argparse.Namespace) -> dict[str, str]:
    return {
        f"{r}_column": getattr(args, f"{r}_column")
        for r in ("text", "title", "date", "source", "id", "url")
        if getattr(args, f"{r}_column")
    }


def cmd_stats(args: argparse.Namespace) -> int:
    corpus = load_corpus(args.corpus, errors=args.errors, **_columns(args))
    print(json.dumps(corpus.stats(), ensure_ascii=False, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newslib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("stats", help="print a JSON summary of a corpus")
    _add_corpus_options(p)
    p.set_defaults(func=cmd_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (LoadError, FileNotFoundError, ValueError, TypeError) as e:
        if getattr(args, "debug", False):
            raise
        print(f"newslib {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
