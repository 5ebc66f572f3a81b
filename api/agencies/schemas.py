from datetime import datetime

from pydantic import BaseModel, ConfigDict, StrictBool

from api.fields import Name
from api.models import Sector


class AgencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    sector: Sector
    statutory_partner: StrictBool = False


class AgencyUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    sector: Sector | None = None
    statutory_partner: StrictBool | None = None


class AgencyRead(BaseModel):
    id: int
    partnership_id: int
    name: str
    sector: Sector
    statutory_partner: bool
    version: int
    created_at: datetime
    updated_at: datetime
