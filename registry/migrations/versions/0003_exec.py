"""distributed reading: page_results keyed by (attachment sha256, page, reader version)

Revision ID: 0003_exec
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_exec"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "page_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("reader_version", sa.String(length=64), nullable=False),
        sa.Column("reading", sa.LargeBinary(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256", "page", "reader_version", name="uq_page_results_key"),
    )


def downgrade() -> None:
    op.drop_table("page_results")
