"""The ``newslib`` command line.

Errors are one line naming the file, line or entry and what to do; ``--debug``
shows the traceback.

Exit status: 0 done; 1 ran, but the result is incomplete (no documents
loaded, a notebook failed, figures differ); 2 bad input or usage (the
message says which file, line or entry); 3 an internal error (a bug: rerun
with ``--debug`` and report the traceback); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence

from .corpus import LoadError


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


def _add_engine_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--engine", choices=["local", "processes", "dask"], default="local",
                   help="one process (default), all local cores, or a Dask cluster; same results")
    p.add_argument("--scheduler", default=None,
                   help="Dask scheduler address for --engine dask (default: start a local cluster)")
    p.add_argument("--workers", type=int, default=None, help="processes or Dask workers (default: all cores)")


def cmd_stats(args: argparse.Namespace) -> int:
    from .engine import corpus_stats

    # Streamed on every engine, "local" too: the same dict as Corpus.stats(),
    # with memory bound by the vocabulary, not by the corpus.
    stats = corpus_stats(args.corpus, engine=args.engine, scheduler=args.scheduler, n_workers=args.workers,
                         progress=sys.stderr.isatty(), errors=args.errors, **_columns(args))
    n_docs = stats["documents"]
    _print(json.dumps(stats, ensure_ascii=False, indent=2), json.dumps(stats, indent=2))
    if n_docs:
        if stats["skipped"] or stats["recovered"]:
            _say(
                f"newslib {args.command}: warning: {stats['skipped']} item(s) skipped, {stats['recovered']} "
                f"recovered, of {stats['items_seen']} seen (reasons in skipped_items and the load report)"
            )
        for warning in stats["warnings"]:
            _say(f"newslib {args.command}: warning: {warning}")
    else:
        _say(
            f"newslib {args.command}: error: no documents loaded from {args.corpus} "
            f"({stats['items_seen']} item(s) seen, {stats['skipped']} skipped: see skipped_items)"
        )
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .actors import load_lexicon
    from .report import run_report

    # A broken lexicon fails here, in one line naming the file and entry, before any notebook runs.
    load_lexicon(args.actors)
    params: dict = {"errors": args.errors, "seed": args.seed, "engine": args.engine,
                    "scheduler": args.scheduler, "n_workers": args.workers}
    for name in ("k", "unit", "method"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    result = run_report(args.corpus, args.out, actors=args.actors, parameters=params, jobs=args.jobs)
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


class _Parser(argparse.ArgumentParser):
    """argparse with one-line usage errors (argparse prints the usage first)."""

    def error(self, message: str):
        self.exit(2, _one_line(f"{self.prog}: error: {message} (see: {self.prog} --help)") + "\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="newslib", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("stats", help="print a JSON summary of a corpus")
    _add_corpus_options(p)
    _add_engine_options(p)
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
    p.add_argument("--method", choices=["nmf", "lda", "kmeans", "spectral"], default=None,
                   help="topic method (default: nmf for passages, spectral for documents)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks run at once (default: one per core, as many as fit in the available memory; "
                        "each holds the corpus)")
    _add_engine_options(p)
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


# Characters that must not reach a terminal raw: controls and the invisible
# bidi and zero-width characters (a file name with U+202E can flip the line).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _one_line(text: str) -> str:
    """``text`` on one line, with control and bidi characters shown as escapes."""
    text = " ".join(text.split())
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _print(text: str, ascii_text: str | None = None) -> None:
    """Print to stdout; JSON falls back to ASCII escapes on a terminal that cannot encode Arabic."""
    try:
        print(text)
    except UnicodeEncodeError:
        print(ascii_text if ascii_text is not None else text.encode("ascii", "backslashreplace").decode())


def _say(message: str) -> None:
    """One line on stderr."""
    line = _one_line(message)
    try:
        print(line, file=sys.stderr)
    except UnicodeEncodeError:
        print(line.encode("ascii", "backslashreplace").decode(), file=sys.stderr)


def _describe(e: BaseException) -> tuple[str, int]:
    """(one-line message, exit status) for an exception that ended a command."""
    if isinstance(e, LoadError):
        return e.cli_message(), 2
    if isinstance(e, OSError):
        where = f"{e.filename}: " if e.filename else ""
        return f"{where}{e.strerror or e} (check the path and its permissions)", 2
    if isinstance(e, ValueError | TypeError | RuntimeError):
        return f"{e}", 2
    if isinstance(e, MemoryError):
        return "out of memory (try a smaller corpus, or a machine with more memory)", 3
    return f"internal error: {type(e).__name__}: {e} (rerun with --debug for the traceback, and report it)", 3


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if getattr(args, "debug", False):
            raise
        _say(f"newslib {args.command}: interrupted")
        return 130
    except BrokenPipeError:
        # stdout closed early (| head): silence the flush at exit (Python docs' recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as e:  # every error becomes one line unless --debug
        if getattr(args, "debug", False):
            raise
        message, status = _describe(e)
        _say(f"newslib {args.command}: error: {message}")
        return status


if __name__ == "__main__":
    sys.exit(main())
