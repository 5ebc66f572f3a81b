"""The outbox's own committed database, seen from a test: fill it, read it, run workers."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from liveserver import ROOT
from smtpinbox import Inbox
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.models import OutboxMessage
from api.outbox import service


class Outbox:
    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine

    def add(self, count: int, *, prefix: str = "m") -> None:
        with Session(self.engine) as session:
            for i in range(count):
                message = OutboxMessage(
                    key=f"{prefix}{i}",
                    partnership_id=None,
                    kind="return_returned",
                    recipient=f"person{i}@example.org",
                    subject=f"Message {i}",
                    body=f"Body of message {i}.\n",
                )
                assert service.enqueue(session, message)
            session.commit()

    def rows(self) -> list[OutboxMessage]:
        with Session(self.engine) as session:
            return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())

    def worker(self, inbox: Inbox, *args: str) -> subprocess.Popen[bytes]:
        """`assure worker` in a process of its own, delivering to the inbox."""
        assure = shutil.which("assure", path=str(Path(sys.executable).parent)) or "assure"
        env = {
            **os.environ,
            "ASSURE_DATABASE_URL": self.url,
            "ASSURE_ENVIRONMENT": "test",
            "ASSURE_SMTP_HOST": inbox.host,
            "ASSURE_SMTP_PORT": str(inbox.port),
            "ASSURE_SMTP_SECURITY": "none",
        }
        return subprocess.Popen(
            [assure, "worker", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
