"""Compute Planner's domain and engine: numpy and the standard library only (no Qt, no SQL)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("compute-planner")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

HOURS_PER_MONTH = 730.0
"""Convention used everywhere: 730 hours a month (8,760 a year / 12)."""
HOURS_PER_YEAR = 8760.0
