from datetime import datetime

from pydantic import BaseModel, ConfigDict

from api.fields import Name, Slug


class PartnershipCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    slug: Slug
    name: Name
    area: Name | None = None


class PartnershipUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    area: Name | None = None


class PartnershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    area: str | None
    version: int
    created_at: datetime
    updated_at: datetime
