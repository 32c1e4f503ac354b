"""Field archival cataloguing: description, provenance and reliability over one SQLite file."""

__version__ = "0.1.0"
APP_NAME = "catalog-app"
