"""people deactivated in a partnership (their roles kept), and when each token was last used

Revision ID: d471c32db842
Revises: b16cffc19dfe
Create Date: 2026-12-03 11:54:15.756484
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.models.base

revision: str = "d471c32db842"
down_revision: str | None = "b16cffc19dfe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deactivation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "partnership_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "deactivated_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deactivated_by_id"], ["user.id"], name=op.f("fk_deactivation_deactivated_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_deactivation_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_deactivation_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deactivation")),
        sa.UniqueConstraint(
            "user_id", "partnership_id", name=op.f("uq_deactivation_user_id_partnership_id")
        ),
    )
    with op.batch_alter_table("deactivation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_deactivation_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_deactivation_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_used_at", api.models.base.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")

    with op.batch_alter_table("deactivation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deactivation_user_id"))
        batch_op.drop_index(batch_op.f("ix_deactivation_partnership_id"))

    op.drop_table("deactivation")
