"""``python -m groundswell.cli``: the same as the ``groundswell`` command."""

from groundswell.cli import main

main()
