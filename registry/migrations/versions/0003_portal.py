"""portal: users, server-side sessions, decisions on findings, append-only audit log

Revision ID: 0003_portal
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_portal"
down_revision = "0002"
branch_labels = None
depends_on = None

# The audit log is append-only in the database: UPDATE and DELETE are rejected by triggers.
SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
PG_TRIGGERS = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("admin_account", sa.String(64)),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "portal_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False, index=True),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("finding_id", sa.Integer(), sa.ForeignKey("findings.id"), nullable=False, index=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(64)),
        sa.Column("effect", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False, index=True),
        sa.Column("user_name", sa.String(64), index=True),
        sa.Column("ip", sa.String(64)),
        sa.Column("action", sa.String(32), nullable=False, index=True),
        sa.Column("unit_id", sa.Integer(), sa.ForeignKey("units.id"), index=True),
        sa.Column("target", sa.String(200)),
        sa.Column("reason", sa.Text()),
        sa.Column("detail", sa.JSON()),
    )
    # covering index for the per-unit status counts (matching/status.py finding_counts) at 60,000 findings
    op.create_index("ix_findings_open_by_unit", "findings",
                    ["year", "state", "unit_id", "document_id", "kind", "severity"])
    for sql in SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else PG_TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_index("ix_findings_open_by_unit", "findings")
    op.drop_table("audit_log")
    op.drop_table("decisions")
    op.drop_table("portal_sessions")
    op.drop_table("users")
