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
    p.add_argument(
        "--errors",
        choices=["raise", "skip"],
        default="raise",
        help="'skip' lists unreadable items in the load report and goes on",
    )
    for role in ("text", "title", "date", "source", "id", "url"):
        p.add_argument(
            f"--{role}-column",
            dest=f"{role}_column",
            default=None,
            help=f"column holding the {role} in tabular exports",
        )
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


def cmd_report(args: argparse.Namespace) -> int:
    from .report import run_report

    params: dict = {"errors": args.errors, "seed": args.seed}
    for name in ("k", "unit", "method"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    result = run_report(args.corpus, args.out, actors=args.actors, parameters=params)
    index = result.out / "index.html"
    failed = [r for r in result.runs if not r.ok]
    for r in failed:
        print(f"newslib report: error: notebook {r.name} failed: {r.error}", file=sys.stderr)
    print(f"{'report written' if not failed else 'report incomplete'}: {index}")
    return 1 if failed else 0


def cmd_figures(args: argparse.Namespace) -> int:
    from .report import make_figures

    diffs = make_figures(args.out, corpus=args.corpus, check=args.check)
    if args.check:
        for d in diffs:
            print(f"newslib figures: {d}", file=sys.stderr)
        print(
            f"figures {'differ' if diffs else 'identical'}: {len(diffs)} difference(s) in {args.out}/"
        )
        return 1 if diffs else 0
    print(f"figures written to {args.out}/")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newslib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("stats", help="print a JSON summary of a corpus")
    _add_corpus_options(p)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "report", help="execute notebooks 01-04 on a corpus and write an HTML report"
    )
    p.add_argument("--corpus", default="data", help="folder, export file or zip (default: data)")
    p.add_argument("--actors", default=None, help="actor lexicon YAML (default: data/actors.yml)")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--k", type=int, default=None, help="number of topics (default: chosen in 04)")
    p.add_argument(
        "--unit",
        choices=["sentence", "paragraph", "document"],
        default=None,
        help="unit clustered into topics (default: by corpus size)",
    )
    p.add_argument("--method", choices=["nmf", "lda", "kmeans"], default=None, help="topic method")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--errors",
        choices=["raise", "skip"],
        default="raise",
        help="'skip' lists unreadable items in the load report and goes on",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("figures", help="regenerate figures/ (or --check it byte for byte)")
    p.add_argument("--corpus", default="data")
    p.add_argument("--out", default="figures")
    p.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and fail on any differing byte",
    )
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.set_defaults(func=cmd_figures)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (LoadError, FileNotFoundError, ValueError, TypeError, RuntimeError) as e:
        if getattr(args, "debug", False):
            raise
        print(f"newslib {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
