from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, computed_field, model_validator

from api.fields import Name, Password
from api.http import MAX_ID
from api.models import Role


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    agency_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def agency_matches_role(self) -> "GrantIn":
        if self.role.is_agency_role and self.agency_id is None:
            raise ValueError(f"{self.role.label} needs an agency_id")
        if not self.role.is_agency_role and self.agency_id is not None:
            raise ValueError(f"{self.role.label} is not held at an agency; leave agency_id out")
        return self


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(max_length=254)
    name: Name
    password: Password | None = Field(
        default=None,
        description="The new account's first password, given by a person adding someone; "
        "a service token never sends one (the account waits for its person to set their own)",
    )
    roles: list[GrantIn] = Field(min_length=1, max_length=10)


class AccountChange(BaseModel):
    """A change to a person's own account, as a platform admin makes it; omitted: unchanged."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    email: EmailStr | None = Field(default=None, max_length=254)
    password: Password | None = None


class OwnAccountChange(AccountChange):
    """A change a person makes to their own account."""

    current_password: str | None = Field(
        default=None, max_length=200, description="Needed to change the email or the password"
    )


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    is_active: bool
    is_platform_admin: bool
    version: int
    created_at: datetime


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    membership_id: int
    role: Role
    agency_id: int | None
    agency_name: str | None

    @computed_field(description='The role as a person reads it: "Agency editor"')  # type: ignore[prop-decorator]
    @property
    def role_label(self) -> str:
        return self.role.label


class UserRead(BaseModel):
    id: int
    email: str
    name: str
    is_active: bool
    active_here: bool = Field(
        default=True,
        description="False once the partnership deactivated the person: their roles here "
        "are kept but give them nothing until they are reactivated",
    )
    deactivated_at: datetime | None = None
    version: int
    created_at: datetime
    roles: list[RoleRead]
