"""What every subcommand shares: one error type and one way to print human text or JSON."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Any

from planner.inputs import terminal_safe


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
    """Print ``payload`` as JSON when --json was given, else ``human(payload)``.

    Either way the text is made terminal-safe first (planner.inputs.terminal_safe): an imported catalog or
    quote cell holding escape sequences cannot recolour, retitle or clear the user's terminal, and a lone
    surrogate prints as U+FFFD instead of failing with UnicodeEncodeError. JSON escapes control characters
    itself, so its strings keep every character."""
    if getattr(args, "json", False):
        text = json.dumps(payload, indent=2, default=str, ensure_ascii=False) + "\n"
    else:
        text = human(payload)
        if not text:
            return
        text = text if text.endswith("\n") else text + "\n"
    sys.stdout.write(terminal_safe(text))
