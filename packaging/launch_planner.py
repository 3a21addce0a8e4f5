"""Entry point of the frozen app (PyInstaller): the same `planner` command as the installed console script.

No arguments opens the window; `planner --version`, `planner selftest ...`, `planner export ...` run headless.
Kept apart from ui/cli.py so the spec has a plain script to analyse (a file named planner.py would
shadow the `planner` package).
"""

import multiprocessing
import sys

from ui.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # harmless when unused; required if a worker process is ever spawned
    sys.exit(main())
