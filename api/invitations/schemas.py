from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from api.fields import Name, NoNul, Password
from api.invitations.rules import InvitationState
from api.models import Role
from api.people.schemas import GrantIn

Token = Annotated[str, Field(min_length=1, max_length=200), NoNul]


class InvitationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    name: Name = Field(description="How to greet the person; they may change it on accepting")
    roles: list[GrantIn] = Field(min_length=1, max_length=10)


class InvitedRole(BaseModel):
    role: Role
    role_label: str
    agency_id: int | None
    agency_name: str | None


class InvitationRead(BaseModel):
    """An invitation as the inviting partnership sees it: nothing about any account."""

    id: int
    email: str
    name: str
    roles: list[InvitedRole]
    state: InvitationState
    invited_by: str
    created_at: datetime
    last_sent_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Token = Field(description="The token from the invitation email's link")


class InvitationOffer(BaseModel):
    """What an invitation offers, as its link's holder reads it."""

    partnership_id: int
    partnership_name: str
    invited_by: str
    email: str
    name: str
    roles: list[InvitedRole]
    expires_at: datetime
    needs_sign_in: bool = Field(
        description="True when the email already has an account: accept signed in as it"
    )


class InvitationAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Token
    name: Name | None = Field(
        default=None, description="For a new account: the person's name (else the invited one)"
    )
    password: Password | None = Field(
        default=None, description="For a new account: its password (an account's own: none)"
    )


class InvitationAccepted(BaseModel):
    """The roles are held. For a new account (201) a sign-in token, as POST /auth/token's."""

    partnership_id: int
    user_id: int
    access_token: str | None = None
    token_type: str | None = None
    expires_in: int | None = Field(default=None, description="Seconds until the token expires")
