"""The desktop application (PySide6 + pyqtgraph) and the `planner` command line.

`ui.report` (PDF) and `ui.commands` (headless subcommands) never import Qt, so exports run headless.
"""
