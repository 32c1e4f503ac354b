"""The use cases every caller (command line, desktop window, tests) goes through.

Each public method that changes data is one transaction and leaves audit rows; each returns
frozen records from catalog_app.domain, never live database rows.
"""

from catalog_app.services.catalogue import Catalogue

__all__ = ["Catalogue"]
