"""due dates: extensions of the deadline, and the due date each submission was made against

Revision ID: 5e1d0a7c3b21
Revises: ed68888bea12
Create Date: 2026-12-01 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.models.base

revision: str = "5e1d0a7c3b21"
down_revision: str | None = "ed68888bea12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agency_return", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extended_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("extended_at", api.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "extended_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_on", sa.Date(), nullable=True))
    # Submissions made before due dates were recorded: the programme's deadline as it
    # stands is the best record there is of the date they were due.
    op.execute(
        "UPDATE return_version SET due_on = ("
        " SELECT programme.deadline FROM agency_return"
        " JOIN programme ON programme.id = agency_return.programme_id"
        " WHERE agency_return.id = return_version.return_id)"
    )
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.alter_column("due_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("return_version", schema=None) as batch_op:
        batch_op.drop_column("due_on")
    with op.batch_alter_table("agency_return", schema=None) as batch_op:
        batch_op.drop_column("extended_by_label")
        batch_op.drop_column("extended_at")
        batch_op.drop_column("extension_reason")
        batch_op.drop_column("extended_to")
