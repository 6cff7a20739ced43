-- Delivery receipts: the newest message delivered to each member's devices.

CREATE TABLE deliveries (
    cid          TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL,
    delivered_at BIGINT NOT NULL,
    message_id   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (cid, user_id)
);
