-- The accountant's work with debtors: saved segments (a filter over the receivables, kept as
-- JSON: debts::types::SegmentFilter), mailings to them, and each contact with a debtor — a call,
-- a visit, a letter, a mailing — and promises to pay (kept or broken is read from the ledger).
CREATE TABLE debt_segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    filter     TEXT    NOT NULL,
    created_by INTEGER REFERENCES users(id),
    updated_at TEXT    NOT NULL
);

CREATE TABLE debt_mailings (
    id           INTEGER PRIMARY KEY,
    segment_id   INTEGER REFERENCES debt_segments(id) ON DELETE SET NULL,
    segment_name TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    accounts     INTEGER NOT NULL,
    recipients   INTEGER NOT NULL,
    overdue      INTEGER NOT NULL,
    sent_by      INTEGER REFERENCES users(id),
    sent_at      TEXT    NOT NULL,
    sent_on      TEXT    NOT NULL
);
CREATE INDEX debt_mailings_segment ON debt_mailings(segment_id, kind, sent_on);

CREATE TABLE debt_contacts (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('call','visit','letter','mailing')),
    outcome    TEXT,
    note       TEXT    NOT NULL DEFAULT '',
    -- the notifications it sent (their `source`), for a mailing
    source     TEXT,
    staff_id   INTEGER REFERENCES users(id),
    at         TEXT    NOT NULL
);
CREATE INDEX debt_contacts_account ON debt_contacts(account_id, at);

CREATE TABLE debt_promises (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    made_on     TEXT    NOT NULL,
    promised_on TEXT    NOT NULL,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    note        TEXT    NOT NULL DEFAULT '',
    staff_id    INTEGER REFERENCES users(id),
    at          TEXT    NOT NULL
);
CREATE INDEX debt_promises_account ON debt_promises(account_id, promised_on);

-- Dunning scenarios: steps escalate, each once per debt episode (an account's stretch of overdue
-- debt under one scenario); a run of a step is unique per episode, so a sweep that runs twice, or
-- on two workers, sends nothing twice.
CREATE TABLE debt_scenarios (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE,
    house_id           INTEGER REFERENCES houses(id),
    enabled            BOOLEAN NOT NULL DEFAULT FALSE,
    restart_on_partial BOOLEAN NOT NULL,
    holdout_percent    INTEGER NOT NULL CHECK (holdout_percent BETWEEN 0 AND 50),
    created_by         INTEGER REFERENCES users(id),
    updated_at         TEXT    NOT NULL
);

CREATE TABLE debt_scenario_steps (
    id             INTEGER PRIMARY KEY,
    scenario_id    INTEGER NOT NULL REFERENCES debt_scenarios(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    days_after_due INTEGER NOT NULL CHECK (days_after_due >= 0),
    min_overdue    INTEGER NOT NULL CHECK (min_overdue >= 0),
    kind           TEXT    NOT NULL,
    -- comma-separated channels: email,sms,push
    channels       TEXT    NOT NULL,
    UNIQUE (scenario_id, position)
);

CREATE TABLE debt_episodes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    scenario_id INTEGER NOT NULL REFERENCES debt_scenarios(id) ON DELETE CASCADE,
    opened_on   TEXT    NOT NULL,
    closed_on   TEXT,
    held_out    BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX debt_episodes_open ON debt_episodes(account_id, scenario_id)
    WHERE closed_on IS NULL;

CREATE TABLE debt_step_runs (
    id         INTEGER PRIMARY KEY,
    episode_id INTEGER NOT NULL REFERENCES debt_episodes(id) ON DELETE CASCADE,
    step_id    INTEGER NOT NULL REFERENCES debt_scenario_steps(id) ON DELETE CASCADE,
    ran_on     TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('sent','held_out','unreachable')),
    overdue    INTEGER NOT NULL,
    source     TEXT,
    UNIQUE (episode_id, step_id)
);

-- The contact limits of scenarios (one row; none: the defaults of debts::rules::dunning).
CREATE TABLE debt_contact_limits (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    sms_per_day   INTEGER NOT NULL CHECK (sms_per_day >= 0),
    sms_per_week  INTEGER NOT NULL CHECK (sms_per_week >= 0),
    sms_per_month INTEGER NOT NULL CHECK (sms_per_month >= 0),
    -- HH:MM, house time
    quiet_from    TEXT    NOT NULL,
    quiet_to      TEXT    NOT NULL
);
