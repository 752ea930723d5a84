"""`python3 -m web serve`: the web app's commands (also `parindex serve` once installed)."""

from web.cli import cli

cli(prog_name="python3 -m web")
