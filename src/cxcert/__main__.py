"""`python -m cxcert` runs the CLI."""

from cxcert.cli.main import run

run()
