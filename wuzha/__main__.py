"""`python -m wuzha …`: the `wuzha` command, for when its script is not on PATH."""

from wuzha.cli import main

main()
