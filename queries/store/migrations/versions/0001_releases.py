"""Releases of a period's figures, with revisions.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("calendar", sa.String(20), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(200), nullable=False),
        sa.Column("provisional", sa.Boolean, nullable=False),
        sa.Column("app_version", sa.String(40), nullable=False),
        sa.UniqueConstraint("calendar", "period", "revision", name="uq_releases_period_revision"),
    )
    op.create_table(
        "release_figures",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("indicator", sa.String(60), primary_key=True),
        sa.Column("area", sa.String(20), primary_key=True),
        sa.Column("breakdown", sa.String(30), primary_key=True),
        sa.Column("category", sa.String(60), primary_key=True),
        sa.Column("numerator", sa.Float(53)),
        sa.Column("denominator", sa.Float(53)),
        sa.Column("value", sa.Float(53)),
    )


def downgrade() -> None:
    op.drop_table("release_figures")
    op.drop_table("releases")
