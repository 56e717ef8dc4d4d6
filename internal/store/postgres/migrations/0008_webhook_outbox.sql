-- The durable outbox of after-callbacks (webhook.Store). id uses the "C"
-- collation so that ordering is by bytes, as in the SQLite store.
--
-- id is the callback's stable event ID, chosen by the enqueuer; a second
-- enqueue of an ID is ignored. body is the JSON body exactly as sent (bytea,
-- so that it stays byte-exact). created and due are unix milliseconds; due is
-- when the callback may next be tried, and the end of the lease of a claim.
-- attempts counts the claims made so far. Delivered callbacks are deleted.
-- Nodes sharing the database claim with FOR UPDATE SKIP LOCKED, so each
-- callback goes to one of them (see webhook.go).
CREATE TABLE webhook_outbox (
    id        text    COLLATE "C" PRIMARY KEY,
    command   text    NOT NULL,
    body      bytea   NOT NULL,
    client_ip text    NOT NULL,
    platform  text    NOT NULL,
    created   bigint  NOT NULL,  -- unix milliseconds
    attempts  integer NOT NULL,
    due       bigint  NOT NULL   -- unix milliseconds
);

-- Claims take the oldest due first, ties broken by id.
CREATE INDEX webhook_outbox_due ON webhook_outbox (due, id);
