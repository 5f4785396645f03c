-- Payments. Those that came to the organisation's bank account (by the bill's QR or a transfer), read
-- from 1CClientBankExchange statements. Each incoming document once (doc_key: date, number,
-- sum, payer's account — statements of overlapping days repeat documents). A document matched
-- for sure is credited at once (ledger_id); the rest wait in the accountant's queue with the
-- likeliest account (account_id, rule, confidence) until assigned or dismissed with a note.

-- ГИС ЖКХ единый лицевой счёт: payers may name it instead of the account number.
ALTER TABLE accounts ADD COLUMN els TEXT;
CREATE UNIQUE INDEX accounts_els ON accounts(els);

CREATE TABLE bank_statements (
    id           INTEGER PRIMARY KEY,
    bank_account TEXT    NOT NULL,
    sender       TEXT    NOT NULL,
    date_from    TEXT,
    date_to      TEXT,
    loaded_by    INTEGER NOT NULL REFERENCES users(id),
    loaded_at    TEXT    NOT NULL
);

CREATE TABLE bank_payments (
    id            INTEGER PRIMARY KEY,
    statement_id  INTEGER NOT NULL REFERENCES bank_statements(id),
    doc_key       TEXT    NOT NULL UNIQUE,
    number        TEXT    NOT NULL,
    doc_date      TEXT    NOT NULL,
    received_on   TEXT    NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    payer         TEXT    NOT NULL,
    payer_inn     TEXT    NOT NULL,
    payer_account TEXT    NOT NULL,
    code          TEXT    NOT NULL,
    purpose       TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('posted','queued','dismissed')),
    account_id    INTEGER REFERENCES accounts(id),
    rule          TEXT,
    confidence    INTEGER NOT NULL DEFAULT 0,
    ledger_id     INTEGER REFERENCES ledger(id),
    decided_by    INTEGER REFERENCES users(id),
    decided_at    TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    CHECK ((status = 'posted') = (ledger_id IS NOT NULL))
);
CREATE INDEX bank_payments_status ON bank_payments(status);
CREATE INDEX bank_payments_statement ON bank_payments(statement_id);

-- Card payments in the cabinet through acquiring (the sandbox bank or T-Bank): one order, paid
-- once, for one or more of the payer's accounts (parts). The bank's notifications are kept as
-- they came (with what was made of them); the credit to the ledger is one idempotent step after
-- a trusted confirmation (parts.ledger_id).
CREATE TABLE online_payments (
    id          INTEGER PRIMARY KEY,
    order_id    TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    provider    TEXT    NOT NULL,
    provider_id TEXT,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    status      TEXT    NOT NULL CHECK (status IN ('new','pending','rejected','expired','confirmed')),
    payment_url TEXT,
    receipt_url TEXT,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    paid_at     TEXT
);
CREATE INDEX online_payments_user ON online_payments(user_id, created_at);

CREATE TABLE online_payment_parts (
    payment_id INTEGER NOT NULL REFERENCES online_payments(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    -- the period the payer chose to pay; NULL: the debt, oldest first
    period     TEXT,
    -- the one service the payer chose to pay; NULL: spread over the services by their charges
    service_id INTEGER REFERENCES services(id),
    amount     INTEGER NOT NULL CHECK (amount > 0),
    ledger_id  INTEGER REFERENCES ledger(id),
    PRIMARY KEY (payment_id, account_id)
);

CREATE TABLE payment_notifications (
    id          INTEGER PRIMARY KEY,
    provider    TEXT    NOT NULL,
    order_id    TEXT,
    status      TEXT,
    body        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    received_at TEXT    NOT NULL
);
CREATE INDEX payment_notifications_order ON payment_notifications(order_id);
