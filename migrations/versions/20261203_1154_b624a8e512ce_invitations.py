"""Invitations by email: roles offered to an email, accepted through an emailed link.

Revision ID: b624a8e512ce
Revises: 30181d96fbc1
Create Date: 2026-12-03 11:54:33.142601
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.models.base

revision: str = "b624a8e512ce"
down_revision: str | None = "30181d96fbc1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "partnership_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "invited_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("invited_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "accepted_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("revoked_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_user_id"], ["user.id"], name=op.f("fk_invitation_accepted_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"], ["user.id"], name=op.f("fk_invitation_invited_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_invitation_partnership_id_partnership"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
    )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_invitation_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invitation_partnership_id"), ["partnership_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invitation_partnership_id"))
        batch_op.drop_index(batch_op.f("ix_invitation_email"))

    op.drop_table("invitation")
