-- The organisation (ТСЖ or management company) is the payee of every bill, QR, payment
-- confirmation and export: its details live in one row the chair edits, instead of a copy per
-- house that could name another association. The first house's details carry over.
CREATE TABLE organisation (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    name         TEXT NOT NULL,
    inn          TEXT NOT NULL,
    kpp          TEXT NOT NULL,
    account      TEXT NOT NULL,
    bank_name    TEXT NOT NULL,
    bic          TEXT NOT NULL,
    corr_account TEXT NOT NULL
);
INSERT INTO organisation (id, name, inn, kpp, account, bank_name, bic, corr_account)
SELECT 1, name, inn, kpp, account, bank_name, bic, corr_account FROM payees
ORDER BY house_id LIMIT 1;
DROP TABLE payees;
