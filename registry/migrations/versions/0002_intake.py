"""intake state: message retry stage, attachment provenance, per-folder IMAP sync state

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# Never recreate tables on SQLite: a recreate drops a table other tables point at, which fails
# with foreign_keys=ON once documents or pages exist. ADD/DROP COLUMN and indexes need no recreate.
NO_RECREATE = {"recreate": "never"}


def upgrade() -> None:
    with op.batch_alter_table("messages", **NO_RECREATE) as batch:
        batch.add_column(sa.Column("error_stage", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("processed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("done_at", sa.DateTime(), nullable=True))
        batch.create_index("ix_messages_state", ["state"])
    with op.batch_alter_table("attachments", **NO_RECREATE) as batch:
        batch.add_column(sa.Column("member_path", sa.Text(), nullable=True))
        batch.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("page_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    if op.get_bind().dialect.name != "sqlite":  # SQLite cannot add a constraint without a recreate
        op.create_foreign_key("fk_attachments_duplicate_of", "attachments", "attachments", ["duplicate_of"], ["id"])
    op.create_table(
        "intake_folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=200), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=True),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account", "folder"),
    )


def downgrade() -> None:
    op.drop_table("intake_folders")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_attachments_duplicate_of", "attachments", type_="foreignkey")
    with op.batch_alter_table("attachments", **NO_RECREATE) as batch:
        batch.drop_column("position")
        batch.drop_column("url")
        batch.drop_column("page_count")
        batch.drop_column("duplicate_of")
        batch.drop_column("member_path")
    with op.batch_alter_table("messages", **NO_RECREATE) as batch:
        batch.drop_index("ix_messages_state")
        batch.drop_column("done_at")
        batch.drop_column("processed_at")
        batch.drop_column("error_stage")
