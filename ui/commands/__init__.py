"""Headless subcommands of `planner`. Each module defines ``register(subparsers)``.

They never import Qt: they must work on a machine with no display.
"""
