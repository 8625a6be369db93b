"""Outgoing mail to units and administrators (package `outbox`): one row per mail, with its state.

State machine: draft → approved → sending → sent | failed.  A row is committed as `sending`
(with its Message-ID, fixed at drafting) before the SMTP transaction starts, so a crash leaves a
recognisable row; `outbox.sending` decides what a `sending` row found at start-up means.
`dedupe_key` is UNIQUE: one receipt per received message, one rescan request per document, one
reminder per unit (or administrator) per deadline, however often a job runs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models import Base, Unit

MAIL_STATES = ("draft", "approved", "sending", "sent", "failed")
MAIL_KINDS = ("receipt", "rescan", "reminder", "admin_reminder")


class OutgoingMail(Base):
    __tablename__ = "outbox_mails"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    recipients: Mapped[list] = mapped_column(JSON)  # [] = no usable address: listed for staff, never sent
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)  # "<kptj-…@domain>", fixed at drafting
    in_reply_to: Mapped[str | None] = mapped_column(String(500))
    references: Mapped[str | None] = mapped_column(Text)
    about: Mapped[dict | None] = mapped_column(JSON)  # finding ids, document/message ids, deadline: why it exists
    state: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    smtp_answer: Mapped[str | None] = mapped_column(Text)  # last server answer (or error), for staff
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)  # failed for good (5xx, bounce)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by: Mapped[str | None] = mapped_column(String(64))
    sending_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)

    unit: Mapped[Unit | None] = relationship()


class BadAddress(Base):
    """An address mail could not be delivered to (bounce or 5xx): drafting no longer uses it."""
    __tablename__ = "outbox_bad_addresses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(200), unique=True)  # lower case
    reason: Mapped[str | None] = mapped_column(Text)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_mails.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class Bounce(Base):
    """A delivery-status notification received in the collection mailbox, handled once."""
    __tablename__ = "outbox_bounces"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), unique=True)  # the incoming DSN
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_mails.id"))  # what it bounced, if known
    addresses: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str | None] = mapped_column(String(32))
    diagnostic: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
