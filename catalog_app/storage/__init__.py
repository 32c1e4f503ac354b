"""SQLite storage: engine and pragmas, ORM models, migrations, backup and the audit trail."""
