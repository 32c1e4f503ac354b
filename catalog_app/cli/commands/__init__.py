"""Subcommands of `catalog`; each module has `register(subparsers)`."""
