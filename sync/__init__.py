"""The half of progsync that talks to the world: destinations, ledger, credentials, CLI."""
