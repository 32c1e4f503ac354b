"""Alembic environment. The program passes an open connection in config.attributes.

For hand use in a checkout: `alembic -x db=PATH upgrade head` with the alembic.ini beside it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from catalog_app.storage.migrate import include_name, migration_engine
from catalog_app.storage.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from pathlib import Path

    db = context.get_x_argument(as_dictionary=True).get("db")
    if not db:
        raise SystemExit("give the catalogue: alembic -x db=PATH ...")
    with migration_engine(Path(db)).connect() as conn:
        _run(conn)
