-- Billing: services and dated tariffs per house, the dated rule tables of DOMAIN.md §1 and §3
-- (key rate, penalty caps and moratoria, due day), accrual runs with their draft lines, and the
-- append-only ledger. Money is integer kopecks; rates are canonical decimal text.

-- basis: how the service is charged — per m² of the flat ('area'), per registered person
-- ('person'), per metered volume of `resource` ('metered'), cold + hot water ('wastewater'),
-- a fixed sum per flat ('fixed'), a share of the building meter's excess by area ('common_area').
-- section: where the bill (ЕПД) lists it.
CREATE TABLE services (
    id       INTEGER PRIMARY KEY,
    house_id INTEGER NOT NULL REFERENCES houses(id),
    name     TEXT    NOT NULL,
    basis    TEXT    NOT NULL CHECK (basis IN ('area','person','metered','wastewater','fixed','common_area')),
    resource TEXT    CHECK (resource IN ('cold_water','hot_water','electricity','heat','gas')),
    section  TEXT    NOT NULL CHECK (section IN ('housing','utilities','capital_repair')),
    sort     INTEGER NOT NULL DEFAULT 0,
    CHECK ((basis IN ('metered','common_area')) = (resource IS NOT NULL)),
    UNIQUE (house_id, name)
);

-- The payee printed on a house's bills and put in their QR (bank details of the ТСЖ or the
-- management company).
CREATE TABLE payees (
    house_id     INTEGER PRIMARY KEY REFERENCES houses(id),
    name         TEXT NOT NULL,
    inn          TEXT NOT NULL,
    kpp          TEXT NOT NULL,
    account      TEXT NOT NULL,
    bank_name    TEXT NOT NULL,
    bic          TEXT NOT NULL,
    corr_account TEXT NOT NULL
);

-- A price from the first day of a month (a change mid-year leaves earlier periods alone);
-- zone 1..3 for day/night/peak electricity. rate: roubles per unit.
CREATE TABLE tariffs (
    id         INTEGER PRIMARY KEY,
    service_id INTEGER NOT NULL REFERENCES services(id),
    valid_from TEXT    NOT NULL,
    zone       INTEGER NOT NULL DEFAULT 1 CHECK (zone BETWEEN 1 AND 3),
    rate       TEXT    NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at TEXT    NOT NULL,
    UNIQUE (service_id, zone, valid_from)
);

-- The Bank of Russia key rate (percent) from a date.
CREATE TABLE key_rates (
    valid_from TEXT PRIMARY KEY,
    rate       TEXT NOT NULL
);

-- Days on which the penalty rate is capped ('cap', at `cap` percent) or no penalty accrues
-- ('moratorium').
CREATE TABLE penalty_rules (
    id         INTEGER PRIMARY KEY,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL,
    rule       TEXT NOT NULL CHECK (rule IN ('cap','moratorium')),
    cap        TEXT,
    note       TEXT NOT NULL,
    CHECK ((rule = 'cap') = (cap IS NOT NULL))
);

-- Day of the next month by which a period's bill is due, from a period ('YYYY-MM') on.
CREATE TABLE due_day_rules (
    from_period TEXT PRIMARY KEY,
    day         INTEGER NOT NULL CHECK (day BETWEEN 1 AND 28),
    note        TEXT    NOT NULL
);

-- One accrual of a house for a period: queued → running → draft → posted (or failed).
-- Running it again while a draft replaces the draft; a posted run is final.
CREATE TABLE accrual_runs (
    id          INTEGER PRIMARY KEY,
    house_id    INTEGER NOT NULL REFERENCES houses(id),
    period      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('queued','running','draft','posted','failed')),
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    started_by  INTEGER REFERENCES users(id),
    started_at  TEXT    NOT NULL,
    computed_at TEXT,
    posted_by   INTEGER REFERENCES users(id),
    posted_at   TEXT,
    UNIQUE (house_id, period)
);

-- What a run computed for an account: one line per service (kind 'charge') and one per overdue
-- chunk (kind 'penalty', service NULL). The lines of a posted run are the bill's detail.
CREATE TABLE accrual_lines (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES accrual_runs(id),
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    service_id  INTEGER REFERENCES services(id),
    kind        TEXT    NOT NULL CHECK (kind IN ('charge','penalty')),
    quantity    TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    rate        TEXT    NOT NULL,
    amount      INTEGER NOT NULL,
    source      TEXT    NOT NULL,
    explanation TEXT    NOT NULL
);
CREATE INDEX accrual_lines_run ON accrual_lines(run_id, account_id);
CREATE INDEX accrual_lines_account ON accrual_lines(account_id);

-- Every change of money. amount > 0: owed by the account; < 0: paid or credited.
-- kind 'opening' is a balance brought in by an import; 'correction' a recalculation with a reason.
-- occurred_on: the payment's date, or the day a charge was posted (the bill's date).
-- source_key makes imports and payments idempotent.
CREATE TABLE ledger (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    period      TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('opening','charge','penalty','payment','correction')),
    service_id  INTEGER REFERENCES services(id),
    amount      INTEGER NOT NULL,
    occurred_on TEXT    NOT NULL,
    run_id      INTEGER REFERENCES accrual_runs(id),
    reason      TEXT    NOT NULL DEFAULT '',
    source_key  TEXT UNIQUE,
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT    NOT NULL
);
CREATE INDEX ledger_account ON ledger(account_id, period);
CREATE INDEX ledger_period ON ledger(period);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;

-- The rule tables as of this release (DOMAIN.md §1, §3); staff add rows as rules change.
INSERT INTO key_rates (valid_from, rate) VALUES
 ('2020-02-10','6'),('2020-04-27','5.5'),('2020-06-22','4.5'),('2020-07-27','4.25'),
 ('2021-03-22','4.5'),('2021-04-26','5'),('2021-06-15','5.5'),('2021-07-26','6.5'),
 ('2021-09-13','6.75'),('2021-10-25','7.5'),('2021-12-20','8.5'),('2022-02-14','9.5'),
 ('2022-02-28','20'),('2022-04-11','17'),('2022-05-04','14'),('2022-05-27','11'),
 ('2022-06-14','9.5'),('2022-07-25','8'),('2022-09-19','7.5'),('2023-07-24','8.5'),
 ('2023-08-15','12'),('2023-09-18','13'),('2023-10-30','15'),('2023-12-18','16'),
 ('2024-07-29','18'),('2024-09-16','19'),('2024-10-28','21'),('2025-06-09','20'),
 ('2025-07-28','18'),('2025-09-15','17'),('2025-10-27','16.5'),('2025-12-22','16');
INSERT INTO penalty_rules (valid_from, valid_to, rule, cap, note) VALUES
 ('2020-04-06','2020-12-31','moratorium',NULL,'ПП РФ № 424'),
 ('2022-04-01','2022-10-01','moratorium',NULL,'ПП РФ № 474 (проверить)'),
 ('2022-02-28','2024-12-31','cap','9.5','ПП РФ № 474: не выше 9,5 %'),
 ('2025-01-01','2026-12-31','cap','9.5','ПП РФ № 329: меньшая из 9,5 % и действующей ставки');
INSERT INTO due_day_rules (from_period, day, note) VALUES
 ('2000-01','10','ЖК РФ ст. 155 ч. 1: до 10-го числа следующего месяца'),
 ('2026-03','15','177-ФЗ: до 15-го числа следующего месяца');
