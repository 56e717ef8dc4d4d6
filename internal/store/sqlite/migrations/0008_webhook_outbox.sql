-- The durable outbox of after-callbacks (webhook.Store).
--
-- id is the callback's stable event ID, chosen by the enqueuer; a second
-- enqueue of an ID is ignored. body is the JSON body exactly as sent (a BLOB,
-- so that it stays byte-exact). created and due are unix milliseconds; due is
-- when the callback may next be tried, and the end of the lease of a claim.
-- attempts counts the claims made so far. Delivered callbacks are deleted.
CREATE TABLE webhook_outbox (
    id        TEXT    NOT NULL PRIMARY KEY,
    command   TEXT    NOT NULL,
    body      BLOB    NOT NULL,
    client_ip TEXT    NOT NULL,
    platform  TEXT    NOT NULL,
    created   INTEGER NOT NULL,             -- unix milliseconds
    attempts  INTEGER NOT NULL,
    due       INTEGER NOT NULL              -- unix milliseconds
) STRICT;

-- Claims take the oldest due first, ties broken by id.
CREATE INDEX webhook_outbox_due ON webhook_outbox (due, id);
