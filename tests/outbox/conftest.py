"""The outbox's own committed database (workers are separate processes), and a test SMTP
server to deliver to."""

from collections.abc import Iterator

import pytest
from liveserver import live_database_url, prepare
from outboxkit import Outbox
from smtpinbox import Inbox, smtp_inbox
from sqlalchemy import delete
from sqlmodel import Session

from api.models import OutboxMessage


@pytest.fixture(scope="session")
def outbox_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outbox]:
    folder = tmp_path_factory.mktemp("outbox")
    url = live_database_url(folder, schema="assure_outbox")
    engine = prepare(url)
    yield Outbox(url, engine)
    engine.dispose()


@pytest.fixture
def outbox(outbox_database: Outbox) -> Outbox:
    """The outbox emptied (of the demo's notices too), for a test to fill."""
    with Session(outbox_database.engine) as session:
        session.execute(delete(OutboxMessage))
        session.commit()
    return outbox_database


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_inbox() as inbox:
        yield inbox
