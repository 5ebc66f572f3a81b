"""Password resets (a row per request; the link's token by its SHA-256) and the client
address of each failed sign-in, for throttling per address.

Revision ID: b16cffc19dfe
Revises: d1036a4e61b2
Create Date: 2026-12-03 12:26:30.334297
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.models.base

revision: str = "b16cffc19dfe"
down_revision: str | None = "d1036a4e61b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_reset",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=True),
        sa.Column("requested_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("expires_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("used_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_password_reset_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_password_reset_token_hash")),
    )
    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_password_reset_client_address"), ["client_address"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_password_reset_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_password_reset_requested_at"), ["requested_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_password_reset_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_address", sqlmodel.sql.sqltypes.AutoString(length=45), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_sign_in_failure_client_address"), ["client_address"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sign_in_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_failure_client_address"))
        batch_op.drop_column("client_address")

    with op.batch_alter_table("password_reset", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_password_reset_user_id"))
        batch_op.drop_index(batch_op.f("ix_password_reset_requested_at"))
        batch_op.drop_index(batch_op.f("ix_password_reset_email"))
        batch_op.drop_index(batch_op.f("ix_password_reset_client_address"))

    op.drop_table("password_reset")
