"""challenge events: panels, invited agencies' sessions, enquiries and answers, panel
scores, outcomes and follow-ups

Revision ID: 8301005199c4
Revises: 5e1d0a7c3b21
Create Date: 2026-12-02 02:18:54.887282
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import api.models.base

revision: str = "8301005199c4"
down_revision: str | None = "5e1d0a7c3b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "challenge_event",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "partnership_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "programme_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "chair_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["chair_user_id"], ["user.id"], name=op.f("fk_challenge_event_chair_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_challenge_event_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_challenge_event_partnership_id_partnership"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programme.id"],
            name=op.f("fk_challenge_event_programme_id_programme"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_event")),
    )
    with op.batch_alter_table("challenge_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_challenge_event_partnership_id"), ["partnership_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_challenge_event_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "challenge_session",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("closed_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "closed_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("closed_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agency.id"], name=op.f("fk_challenge_session_agency_id_agency")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user.id"], name=op.f("fk_challenge_session_closed_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["challenge_event.id"],
            name=op.f("fk_challenge_session_event_id_challenge_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_session")),
        sa.UniqueConstraint(
            "event_id", "agency_id", name=op.f("uq_challenge_session_event_id_agency_id")
        ),
    )
    with op.batch_alter_table("challenge_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_challenge_session_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_challenge_session_event_id"), ["event_id"], unique=False
        )

    op.create_table(
        "panel_member",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["challenge_event.id"],
            name=op.f("fk_panel_member_event_id_challenge_event"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_panel_member_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_member")),
        sa.UniqueConstraint("event_id", "user_id", name=op.f("uq_panel_member_event_id_user_id")),
    )
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_member_event_id"), ["event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("to_executive", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completion_evidence", sa.Text(), nullable=True),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_follow_up_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["challenge_session.id"],
            name=op.f("fk_follow_up_session_id_challenge_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_session_id"), ["session_id"], unique=False)

    op.create_table(
        "line_of_enquiry",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column(
            "author_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("author_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("published_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answer_version", sa.Integer(), nullable=False),
        sa.Column("answered_at", api.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["user.id"], name=op.f("fk_line_of_enquiry_author_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["challenge_session.id"],
            name=op.f("fk_line_of_enquiry_session_id_challenge_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_line_of_enquiry")),
    )
    with op.batch_alter_table("line_of_enquiry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_line_of_enquiry_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "panel_score",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "member_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "standard_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_user_id"], ["user.id"], name=op.f("fk_panel_score_member_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["challenge_session.id"],
            name=op.f("fk_panel_score_session_id_challenge_session"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standard.id"], name=op.f("fk_panel_score_standard_id_standard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_score")),
        sa.UniqueConstraint(
            "session_id",
            "member_user_id",
            "standard_id",
            name=op.f("uq_panel_score_session_id_member_user_id_standard_id"),
        ),
    )
    with op.batch_alter_table("panel_score", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_score_session_id"), ["session_id"], unique=False)

    op.create_table(
        "session_reopening",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("by_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["user.id"], name=op.f("fk_session_reopening_by_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["challenge_session.id"],
            name=op.f("fk_session_reopening_session_id_challenge_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_reopening")),
    )
    with op.batch_alter_table("session_reopening", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_reopening_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "enquiry_standard",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "enquiry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "standard_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["line_of_enquiry.id"],
            name=op.f("fk_enquiry_standard_enquiry_id_line_of_enquiry"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"], ["standard.id"], name=op.f("fk_enquiry_standard_standard_id_standard")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry_standard")),
        sa.UniqueConstraint(
            "enquiry_id", "standard_id", name=op.f("uq_enquiry_standard_enquiry_id_standard_id")
        ),
    )
    with op.batch_alter_table("enquiry_standard", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enquiry_standard_enquiry_id"), ["enquiry_id"], unique=False
        )

    op.create_table(
        "follow_up_update",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "follow_up_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "author_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("author_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("at", api.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["user.id"], name=op.f("fk_follow_up_update_author_user_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up.id"],
            name=op.f("fk_follow_up_update_follow_up_id_follow_up"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_update")),
    )
    with op.batch_alter_table("follow_up_update", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_update_follow_up_id"), ["follow_up_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_up_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_update_follow_up_id"))

    op.drop_table("follow_up_update")
    with op.batch_alter_table("enquiry_standard", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enquiry_standard_enquiry_id"))

    op.drop_table("enquiry_standard")
    with op.batch_alter_table("session_reopening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_reopening_session_id"))

    op.drop_table("session_reopening")
    with op.batch_alter_table("panel_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_score_session_id"))

    op.drop_table("panel_score")
    with op.batch_alter_table("line_of_enquiry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_line_of_enquiry_session_id"))

    op.drop_table("line_of_enquiry")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_session_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("panel_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_panel_member_event_id"))

    op.drop_table("panel_member")
    with op.batch_alter_table("challenge_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_session_event_id"))
        batch_op.drop_index(batch_op.f("ix_challenge_session_agency_id"))

    op.drop_table("challenge_session")
    with op.batch_alter_table("challenge_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_event_programme_id"))
        batch_op.drop_index(batch_op.f("ix_challenge_event_partnership_id"))

    op.drop_table("challenge_event")
