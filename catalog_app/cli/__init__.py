"""The `catalog` command."""

from catalog_app.cli.main import main

__all__ = ["main"]
