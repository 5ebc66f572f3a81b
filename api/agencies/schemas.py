from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.fields import Name, Slug
from api.models import Sector


class AgencyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    sector: Sector
    statutory_partner: StrictBool = False


class AgencyUpdate(BaseModel):
    """Name and sector are shared facts: only the partnership that keeps them changes them."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    sector: Sector | None = None
    statutory_partner: StrictBool | None = Field(
        default=None, description="This partnership's own fact; each partnership keeps its own."
    )


class AgencyRead(BaseModel):
    id: int
    partnership_id: int
    name: str
    sector: Sector
    statutory_partner: bool
    owner_partnership_id: int = Field(
        description="The partnership that keeps the agency's name and sector (it added it)."
    )
    owner_partnership_name: str
    version: int
    created_at: datetime
    updated_at: datetime


class AgencyOfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partnership: Slug = Field(description="The slug of the partnership to share the agency with.")


class AgencyOfferAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statutory_partner: bool = False


class PartnershipRef(BaseModel):
    id: int
    name: str


class AgencyOfferRead(BaseModel):
    """An agency its owning partnership offers to share; the offered partnership accepts it."""

    id: int
    agency_id: int
    agency_name: str
    sector: Sector
    offered_by: PartnershipRef = Field(description="The partnership that keeps the agency.")
    offered_to: PartnershipRef
    offered_by_label: str = Field(description="Who made the offer.")
    created_at: datetime
