"""Partnerships (the tenants) and the agencies they ask to self-assess."""

from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from api.models.base import EnumText, Versioned, fk_field, id_field


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
    """An organisation; it may be a member of several partnerships."""

    id: int | None = id_field()
    name: str = Field(max_length=200)
    sector: Sector = Field(sa_type=EnumText(Sector, 32))  # type: ignore[call-overload]


class PartnershipAgency(Versioned, table=True):
    """An agency's membership of one partnership; statutory partners are marked here."""

    __tablename__ = "partnership_agency"
    __table_args__ = (UniqueConstraint("partnership_id", "agency_id"),)

    id: int | None = id_field()
    partnership_id: int = fk_field("partnership.id")
    agency_id: int = fk_field("agency.id")
    statutory_partner: bool = Field(default=False)
