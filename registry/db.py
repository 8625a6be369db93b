"""Engine creation and automatic Alembic migration."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # pysqlite would run DDL outside any transaction: a crash during the first migration then left
    # tables without a version stamp. Let SQLAlchemy emit BEGIN itself (SQLAlchemy's SQLite recipe).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: a commit survives a killed process; intake checkpoints before server actions.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    # stored times are naive UTC (registry.clock): a PostgreSQL session in another time zone
    # would write server-side now() defaults in its local time
    connect_args = {"options": "-c timezone=UTC"} if url.startswith("postgresql") else {}
    engine = create_engine(url, future=True, connect_args=connect_args)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        # "heads": a feature may add its tables on a branch of its own until a merge revision joins it
        command.upgrade(cfg, "heads")


def open_db(url: str) -> sessionmaker[Session]:
    engine = make_engine(url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
