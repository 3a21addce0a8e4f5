"""Shipped data: catalog CSVs (each row sourced and dated), fonts, icons, sample projects.

Read it through :func:`importlib.resources.files`, never through file-system paths, so it works
from a wheel and from a frozen build.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """Return a Traversable for resources/<parts...>."""
    node: Traversable = files(__name__)
    for part in parts:
        node = node / part
    return node
