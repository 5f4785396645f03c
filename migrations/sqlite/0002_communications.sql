-- Communications: the durable job table (outbox), notifications and their deliveries per channel,
-- preferences, templates, Web Push subscriptions, the dev mailbox, news, announcements, FAQ.

-- The one job table. A job is written in the same transaction as the change that causes it and
-- run by a worker; a claimed job is leased (locked_until) so a crashed worker's job runs again.
CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    run_at       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    status       TEXT    NOT NULL CHECK (status IN ('queued','running','done','failed')),
    locked_by    TEXT,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT    NOT NULL,
    finished_at  TEXT
);
CREATE INDEX jobs_due ON jobs(status, run_at);

-- What a user was told (the in-app bell and list); one row per recipient.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    kind       TEXT    NOT NULL,
    critical   BOOLEAN NOT NULL,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    link       TEXT,
    -- what caused it, e.g. 'announcement:12' (delivery reports)
    source     TEXT,
    created_at TEXT    NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_user ON notifications(user_id, created_at);
CREATE INDEX notifications_source ON notifications(source);

-- One notification on one external channel to one address (e-mail, phone, push endpoint).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    channel         TEXT    NOT NULL CHECK (channel IN ('email','sms','push')),
    address         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued','sent','failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    sent_at         TEXT,
    UNIQUE (notification_id, channel, address)
);

CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    at          TEXT    NOT NULL,
    worker      TEXT    NOT NULL,
    ok          BOOLEAN NOT NULL,
    detail      TEXT    NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id);

-- A user's choice per kind and channel; no row means the kind's default.
CREATE TABLE notify_prefs (
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind    TEXT    NOT NULL,
    channel TEXT    NOT NULL CHECK (channel IN ('email','sms','push')),
    enabled BOOLEAN NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
);

-- Quiet hours (Moscow time, minutes after midnight; may run over midnight).
CREATE TABLE quiet_hours (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id),
    starts_min INTEGER NOT NULL CHECK (starts_min BETWEEN 0 AND 1439),
    ends_min   INTEGER NOT NULL CHECK (ends_min BETWEEN 0 AND 1439)
);

-- Staff edits of a kind's template; no row means the built-in text.
CREATE TABLE notify_templates (
    kind       TEXT    PRIMARY KEY,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id),
    updated_at TEXT    NOT NULL
);

CREATE TABLE push_subscriptions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    endpoint   TEXT    NOT NULL UNIQUE,
    p256dh     TEXT    NOT NULL,
    auth       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX push_subscriptions_user ON push_subscriptions(user_id);

-- Secrets the application makes for itself on first start (the VAPID key pair).
CREATE TABLE app_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- What would have been sent when no SMTP server or SMS gateway is configured.
CREATE TABLE dev_mailbox (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    channel   TEXT    NOT NULL,
    recipient TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    body      TEXT    NOT NULL
);

-- Audience of news and announcements: no house = everyone; a house; or one entrance of it.
CREATE TABLE announcements (
    id          INTEGER PRIMARY KEY,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    critical    BOOLEAN NOT NULL,
    house_id    INTEGER REFERENCES houses(id),
    entrance_id INTEGER REFERENCES entrances(id),
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL
);

CREATE TABLE news (
    id          INTEGER PRIMARY KEY,
    author_id   INTEGER NOT NULL REFERENCES users(id),
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    house_id    INTEGER REFERENCES houses(id),
    entrance_id INTEGER REFERENCES entrances(id),
    pinned      BOOLEAN NOT NULL,
    publish_at  TEXT    NOT NULL,
    image       TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX news_publish ON news(publish_at);

CREATE TABLE faq_categories (
    id       INTEGER PRIMARY KEY,
    title    TEXT    NOT NULL UNIQUE,
    position INTEGER NOT NULL
);

CREATE TABLE faq_items (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES faq_categories(id),
    question    TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    search_text TEXT    NOT NULL,
    position    INTEGER NOT NULL
);
