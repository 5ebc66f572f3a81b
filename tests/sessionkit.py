"""Requests in the test's transaction, for the apps the fixtures build."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlmodel import Session

from api.db import unit_of_work


class ConnectionSlot:
    """Where an app finds the current test's connection: each request's session joins the
    test's rolled-back transaction. An app built once per run points it at each test."""

    def __init__(self, connection: Connection | None = None) -> None:
        self.connection = connection

    def session(self) -> Iterator[Session]:
        assert self.connection is not None, "a request outside a test"
        with (
            Session(
                bind=self.connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
            ) as session,
            unit_of_work(session),
        ):
            yield session

    def store_session(self) -> Session:
        """A session in the test's transaction for the idempotency keys' own steps (their
        commits become savepoints)."""
        assert self.connection is not None, "a request outside a test"
        return Session(
            bind=self.connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    @contextmanager
    def on(self, connection: Connection) -> Iterator[None]:
        """Point the app at this test's connection while the test runs."""
        self.connection = connection
        try:
            yield
        finally:
            self.connection = None
