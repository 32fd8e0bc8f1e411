"""Release cells: a released quarter's counts at their finest grain, from which an external audience's protected
cells are built when it is shown released figures only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_cells",
        sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("frame", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("release_cells")
