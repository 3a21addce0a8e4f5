"""The `planner` command: no arguments opens the window; subcommands run headless.

Headless subcommands live in :mod:`ui.commands` (no Qt). The GUI and `selftest` are imported
lazily through importlib so that `planner estimate`, `planner tco`, `planner export` ... never load Qt.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from planner import __version__
from planner.inputs import terminal_safe
from ui.commands._common import CliError, add_json_flag, emit

# Headless command modules, each with register(subparsers). Order = order in --help.
COMMAND_MODULES = (
    "ui.commands.estimate",
    "ui.commands.tco",
    "ui.commands.catalog",
    "ui.commands.quotes",
    "ui.commands.fx",
    "ui.commands.proposal",
)


def _selftest(args: argparse.Namespace) -> int:
    gui = importlib.import_module("ui.selftest")
    return int(gui.run_selftest(args))


def _gui(args: argparse.Namespace) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        print(
            "No display is available to open the window: run `planner selftest --screenshots DIR` "
            "to check the app headless, or start it under a desktop session (or xvfb-run).",
            file=sys.stderr,
        )
        return 3
    app = importlib.import_module("ui.app")
    return int(app.run_gui(db_url=args.db))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Compute Planner: where to train, fine-tune and serve AI models, and what it costs.",
    )
    parser.add_argument("--version", action="version", version=f"Compute Planner {__version__}")
    parser.add_argument(
        "--db",
        default=None,
        help="catalog database URL (default: SQLite in the user data directory; env PLANNER_DB). "
        "A team uses postgresql://user@host/db",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug output to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "selftest", help="open the main window offscreen, save screenshots, exit 0 if all is well"
    )
    p.add_argument("--screenshots", metavar="DIR", default=None, help="save a PNG of each view here")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for every view (default 60)")
    add_json_flag(p)
    p.set_defaults(func=_selftest)

    p = sub.add_parser("version", help="print the version")
    add_json_flag(p)
    p.set_defaults(func=lambda a: _print_version(a))

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command not built yet in this checkout
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def _print_version(args: argparse.Namespace) -> int:
    emit(args, {"version": __version__}, lambda p: f"Compute Planner {p['version']}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # never UnicodeEncodeError on a non-UTF-8 console
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, stream=sys.stderr)
    if args.db:
        os.environ["PLANNER_DB"] = args.db
    func = getattr(args, "func", None)
    try:
        if func is None:
            return _gui(args)
        return int(func(args) or 0)
    except CliError as exc:
        _say(str(exc))
        return exc.code
    except KeyboardInterrupt:
        print("planner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # e.g. `planner quotes compare --json | head`: the reader went away; not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except (OSError, UnicodeDecodeError) as exc:
        # Last-resort net: commands name their files themselves; this keeps any miss to one sentence.
        _say(_describe_os_error(exc))
        logging.getLogger(__name__).debug("I/O error", exc_info=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last resort: one sentence and a log, never a traceback
        database = _database_sentence(exc)
        if database is not None:  # the database names itself (and never the project file)
            _say(database)
            return 3
        _say(f"an internal error stopped the command ({type(exc).__name__}); {_write_crash_log(argv)}")
        return 70


def _database_sentence(exc: Exception) -> str | None:
    """The sentence of a catalog database that cannot be reached or upgraded, else None."""
    from db.migrate import UpgradeFailed
    from db.session import DatabaseUnavailable

    return str(exc) if isinstance(exc, DatabaseUnavailable | UpgradeFailed) else None


def _say(message: str) -> None:
    """One line on stderr, terminal-safe (no escape sequences from file names or cells, no lone surrogates)."""
    print(f"planner: {terminal_safe(message)}", file=sys.stderr)


def _write_crash_log(argv: Sequence[str] | None) -> str:
    """Write the traceback of the exception being handled to a log under the user's log folder and say where
    it is (or that it could not be written)."""
    import traceback

    from db.paths import log_dir
    from planner import clock
    from planner.files import write_atomic

    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    text = (
        f"Compute Planner {__version__}, {stamp}\ncommand: {terminal_safe(repr(list(argv or sys.argv[1:])))}\n\n"
        + traceback.format_exc()
    )
    try:
        path = log_dir() / f"crash-{stamp}-{os.getpid()}.log"
        write_atomic(path, text.encode("utf-8", "backslashreplace"))
    except OSError as exc:
        return f"the details could not be saved ({exc.strerror or exc}); please report the command you ran"
    return f"the details are in {path}; please send that file with your report"


def _describe_os_error(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8"
    name = exc.filename or "the file"
    reasons = {
        IsADirectoryError: "is a folder, not a file",
        FileNotFoundError: "does not exist",
        PermissionError: "cannot be accessed (permission denied)",
        NotADirectoryError: "has a path component that is not a folder",
    }
    for kind, reason in reasons.items():
        if isinstance(exc, kind):
            return f"{name} {reason}"
    return f"{name}: {exc.strerror or exc}"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
