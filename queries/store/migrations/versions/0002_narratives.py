"""Narratives: what leadership says about a figure, in English and Bangla, with every version kept.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "narratives",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("indicator", sa.String(60), nullable=False),
        sa.Column("calendar", sa.String(20), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("area", sa.String(20), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("written_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_narratives_key", "narratives", ["calendar", "period", "indicator", "area", "language", "id"])


def downgrade() -> None:
    op.drop_index("ix_narratives_key", table_name="narratives")
    op.drop_table("narratives")
