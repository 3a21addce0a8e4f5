"""What every subcommand shares: one error type and one way to print human text or JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any


class CliError(Exception):
    """A user-facing error: printed as one sentence on stderr, exit code ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of text")


def parse_date(text: str) -> dt.date:
    """An ISO date typed on the command line (argparse ``type=``)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def add_today_flag(parser: argparse.ArgumentParser, what: str) -> None:
    """``--today YYYY-MM-DD``: the date staleness/expiry is judged against (default: the real date)."""
    parser.add_argument(
        "--today",
        type=parse_date,
        default=None,
        metavar="YYYY-MM-DD",
        help=f"{what} as of this date (default today)",
    )


def today_of(args: argparse.Namespace) -> dt.date:
    """The ``--today`` given, else today's date from the one clock."""
    from planner import clock

    given = getattr(args, "today", None)
    return given if isinstance(given, dt.date) else clock.today()


def emit(args: argparse.Namespace, payload: Any, human: Callable[[Any], str]) -> None:
    """Print ``payload`` as JSON when --json was given, else ``human(payload)``."""
    if getattr(args, "json", False):
        json.dump(payload, sys.stdout, indent=2, default=str, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        text = human(payload)
        if text:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
