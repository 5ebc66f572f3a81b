"""Partnerships (the tenants) and the agencies they ask to self-assess."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from api.models.base import EnumText, Versioned, fk_field, id_field, timestamp_field


class Sector(StrEnum):
    local_authority = "local_authority"
    police = "police"
    health = "health"
    education = "education"
    probation = "probation"
    youth_justice = "youth_justice"
    voluntary = "voluntary"
    housing = "housing"
    other = "other"


class Partnership(Versioned, table=True):
    id: int | None = id_field()
    slug: str = Field(max_length=63, unique=True)
    name: str = Field(max_length=200)
    area: str | None = Field(default=None, max_length=200)


class Agency(Versioned, table=True):
    """An organisation; it may be a member of several partnerships.

    Its name and sector are shared facts, kept by one partnership (the one that added it)
    and read by the others it is shared with.
    """

    id: int | None = id_field()
    name: str = Field(max_length=200)
    sector: Sector = Field(sa_type=EnumText(Sector, 32))  # type: ignore[call-overload]
    owner_partnership_id: int = fk_field("partnership.id")


class PartnershipAgency(Versioned, table=True):
    """An agency's membership of one partnership; statutory partners are marked here."""

    __tablename__ = "partnership_agency"
    __table_args__ = (UniqueConstraint("partnership_id", "agency_id"),)

    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    agency_id: int = fk_field("agency.id")
    statutory_partner: bool = Field(default=False)


class AgencyOffer(SQLModel, table=True):
    """The owning partnership offers to share an agency; the other partnership accepts it.

    Until it is accepted nothing changes in the partnership offered to, so no partnership
    can put an agency on another's list, or learn what is on it.
    """

    __tablename__ = "agency_offer"
    __table_args__ = (UniqueConstraint("agency_id", "partnership_id"),)

    id: int | None = id_field()
    agency_id: int = fk_field("agency.id")
    partnership_id: int = fk_field("partnership.id")  # the partnership offered to
    offered_by_id: int | None = fk_field("user.id", nullable=True, index=False)
    offered_by_label: str = Field(max_length=200)
    created_at: datetime = timestamp_field()
