-- Moderation v2 policies (PROTOCOL.md §7.28): configurations by team and key (doc is the JSON of the policy
-- parts as given), moderation rules (doc is the rule's JSON; name, team, enabled and rule_type are copied out
-- for queries), and the bans a user made with ban_from_future_channels, which each channel that user creates
-- later applies to its target.
CREATE TABLE moderation_configs (
    team       TEXT   NOT NULL,
    config_key TEXT   NOT NULL,
    doc        TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (team, config_key)
);

CREATE TABLE moderation_rules (
    id         TEXT    NOT NULL PRIMARY KEY,
    team       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    enabled    INTEGER NOT NULL,
    rule_type  TEXT    NOT NULL,
    doc        TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    UNIQUE (team, name)
);

CREATE TABLE future_channel_bans (
    created_by TEXT    NOT NULL,
    target_id  TEXT    NOT NULL,
    reason     TEXT,
    shadow     INTEGER NOT NULL,
    created_at BIGINT  NOT NULL,
    expires    BIGINT,
    PRIMARY KEY (created_by, target_id)
);
