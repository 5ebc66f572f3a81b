"""The suite hashes passwords cheaply; production never can."""

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from api.models import User
from api.settings import Settings


def test_the_suite_hashes_cheaply(db: Session) -> None:
    """The demo's people were hashed at the test cost, so signing in costs microseconds."""
    user = db.exec(select(User).where(User.password_hash.is_not(None))).first()  # type: ignore[union-attr]
    assert user is not None and user.password_hash is not None
    assert "$m=8,t=1,p=1$" in user.password_hash


def test_the_standard_cost_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSURE_PASSWORD_HASHING")
    monkeypatch.delenv("ASSURE_ENVIRONMENT")
    assert Settings(_env_file=None).password_hashing == "standard"


@pytest.mark.parametrize("environment", ["production", "development"])
def test_cheap_hashing_is_refused_outside_the_test_environment(environment: str) -> None:
    """Even with the suite's ASSURE_PASSWORD_HASHING=cheap in the environment."""
    with pytest.raises(ValidationError, match="test suite only"):
        Settings(_env_file=None, environment=environment, secret_key="a real secret")
