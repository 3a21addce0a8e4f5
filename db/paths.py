"""Every per-user path of the app, from platformdirs (never hand-built)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "ComputePlanner"
APP_AUTHOR = "ComputePlanner"


def _override(env: str) -> Path | None:
    value = os.environ.get(env)
    return Path(value) if value else None


def data_dir() -> Path:
    """User data directory (catalog database, signing identities, autosave). PLANNER_DATA_DIR overrides."""
    path = _override("PLANNER_DATA_DIR") or Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)  # the catalog, identities, autosave: owner only
    return path


def log_dir() -> Path:
    """User log directory. PLANNER_LOG_DIR overrides (else <data dir>/logs when PLANNER_DATA_DIR is set)."""
    path = _override("PLANNER_LOG_DIR")
    if path is None:
        base = _override("PLANNER_DATA_DIR")
        path = base / "logs" if base else Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """User configuration directory (preferences)."""
    base = _override("PLANNER_DATA_DIR")
    path = base / "config" if base else Path(platformdirs.user_config_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path
