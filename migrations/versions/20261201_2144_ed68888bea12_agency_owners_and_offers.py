"""agency owners (who keeps the shared name and sector) and offers to share an agency

Revision ID: ed68888bea12
Revises: dccd24c9e790
Create Date: 2026-12-01 21:44:00.357332
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.models.base

revision: str = "ed68888bea12"
down_revision: str | None = "dccd24c9e790"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agency_offer",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "partnership_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "offered_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("offered_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_agency_offer_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_id"], ["user.id"], name=op.f("fk_agency_offer_offered_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_agency_offer_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_offer")),
        sa.UniqueConstraint(
            "agency_id", "partnership_id", name=op.f("uq_agency_offer_agency_id_partnership_id")
        ),
    )
    with op.batch_alter_table("agency_offer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agency_offer_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agency_offer_partnership_id"), ["partnership_id"], unique=False
        )

    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_partnership_id", id_type, nullable=True))
    # The partnership that added an agency keeps it: its first membership.
    op.execute(
        "UPDATE agency SET owner_partnership_id = (SELECT pa.partnership_id"
        " FROM partnership_agency pa WHERE pa.agency_id = agency.id ORDER BY pa.id LIMIT 1)"
    )
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.alter_column("owner_partnership_id", existing_type=id_type, nullable=False)
        batch_op.create_index(
            batch_op.f("ix_agency_owner_partnership_id"), ["owner_partnership_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_agency_owner_partnership_id_partnership"),
            "partnership",
            ["owner_partnership_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("agency", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_agency_owner_partnership_id_partnership"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_agency_owner_partnership_id"))
        batch_op.drop_column("owner_partnership_id")

    with op.batch_alter_table("agency_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agency_offer_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_agency_offer_agency_id"))

    op.drop_table("agency_offer")
