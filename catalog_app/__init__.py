"""Field archival cataloguing: description, provenance and reliability over one SQLite file."""

__version__ = "0.1.0"
APP_NAME = "catalog-app"
# Kept here, not in catalog_app.paths, so that `catalog --help` can name it without loading
# pathlib.
DB_ENV = "CATALOG_DB"
