"""The ``formwatch`` command line: argument parsing and one subcommand a module."""

from formwatch.cli.main import main

__all__ = ["main"]
