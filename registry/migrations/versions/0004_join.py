"""join the feature branches: portal, outbox and distributed reading each added tables after 0002

Revision ID: 0004_join
Revises: 0003_portal, 0003_outbox, 0003_exec
"""

revision = "0004_join"
down_revision = ("0003_portal", "0003_outbox", "0003_exec")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # nothing to change: the three branches touch disjoint tables


def downgrade() -> None:
    pass
