-- Delivery receipts: the newest message delivered to each member's devices.

CREATE TABLE deliveries (
    cid          TEXT   NOT NULL,
    user_id      TEXT   NOT NULL,
    delivered_at BIGINT NOT NULL,
    message_id   TEXT   NOT NULL,
    PRIMARY KEY (cid, user_id)
);
