"""``python -m formwatch`` runs the command-line interface."""

from formwatch.cli import main

raise SystemExit(main())
