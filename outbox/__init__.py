"""Mail back to units and administrators (issue 19): receipts, rescan requests, reminders.

    draft_all(ws, session, cfg, today)        what the day calls for (idempotent, dedupe keys)
    request_rescan(ws, session, cfg, document_id, reasons, by)   a person's decision, approved by them
    send_approved(ws, cfg)                    approved → sending → sent | failed, exactly once
    record_bounces(ws, session)               DSNs in the collection mailbox mark mail and address bad
    after_run(ws, today, config_path)         the daily job's hook: bounces, then drafts

Rows: registry.outbox_models (OutgoingMail, BadAddress, Bounce). Templates: outbox/templates/*.txt,
overridden by WORKSPACE/mail-templates/*.txt. Configuration: outbox.config.
"""
