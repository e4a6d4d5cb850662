"""`python -m progsync.sync`: the same as the `progsync` command."""

from progsync.sync.entry import main

main()
