"""`python -m cxcert` runs the CLI."""

from cxcert.cli.entry import run

run()
