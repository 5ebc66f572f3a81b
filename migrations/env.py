"""Alembic environment: the URL comes from Assure's settings, or from a connection given."""

from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

import api.models  # noqa: F401  (registers every table)
from api.db import make_engine
from api.models import metadata
from api.models.base import EnumText
from api.settings import get_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Enum columns are plain text in the database: write them as such in migrations."""
    if kind == "type" and isinstance(obj, EnumText):
        return f"sa.String(length={obj.impl.length})"  # type: ignore[attr-defined]
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=render_item,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":  # the keys were off: check them all now
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"The migration broke foreign keys: {broken[:5]}")


@contextmanager
def sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite alters a table by copying it and dropping the old one, which its foreign keys
    refuse while other tables' rows refer to it. They can only be switched off outside a
    transaction, so this is done here, before the migrations begin theirs."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        with sqlite_foreign_keys_off(connection):
            run_on(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection, sqlite_foreign_keys_off(connection):
        run_on(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
