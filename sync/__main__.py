"""`python -m progsync.sync`: the same as the `progsync` command."""

from progsync.sync.cli.entry import main

main()
