-- The webhook outbox: one row per event and hook, written in the transaction of the change it reports (or
-- right after it), deleted once the receiver answered 2xx. A row that keeps failing is kept as a dead letter
-- (dead = 1) for the operator to see and retry. Rows of one order_key are delivered in id order.
CREATE TABLE hook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    hook_id         TEXT    NOT NULL,
    order_key       TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    last_error      TEXT,
    dead            INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX hook_outbox_live ON hook_outbox (dead, id);
