-- Meter readings: per-house submission window, meters (individual and building), readings with
-- their source, corrections after a period is closed, closed periods, consumption norms and the
-- record of reminders already sent. Values are stored in thousandths of the unit (exact).

-- A house without a row uses the defaults: days 20–25, strict, Europe/Moscow.
CREATE TABLE reading_settings (
    house_id  INTEGER PRIMARY KEY REFERENCES houses(id),
    first_day INTEGER NOT NULL CHECK (first_day BETWEEN 1 AND 31),
    last_day  INTEGER NOT NULL CHECK (last_day BETWEEN 1 AND 31),
    strict    BOOLEAN NOT NULL,
    time_zone TEXT    NOT NULL,
    CHECK (first_day <= last_day)
);

CREATE TABLE meters (
    id             INTEGER PRIMARY KEY,
    house_id       INTEGER NOT NULL REFERENCES houses(id),
    -- NULL: a building (common, ОДПУ) meter
    apartment_id   INTEGER REFERENCES apartments(id),
    resource       TEXT    NOT NULL CHECK (resource IN ('cold_water','hot_water','electricity','heat','gas')),
    serial         TEXT    NOT NULL,
    zones          INTEGER NOT NULL CHECK (zones BETWEEN 1 AND 3),
    place          TEXT    NOT NULL DEFAULT '',
    installed_on   TEXT    NOT NULL,
    verified_until TEXT    NOT NULL,
    seal           TEXT    NOT NULL DEFAULT '',
    archived_on    TEXT,
    replaced_by    INTEGER REFERENCES meters(id),
    UNIQUE (house_id, resource, serial)
);
CREATE INDEX meters_apartment ON meters(apartment_id);

-- kind: 'initial' (value when installed), 'regular' (the month's reading), 'final' (value when
-- taken off). One of each kind per meter and period.
CREATE TABLE readings (
    id          INTEGER PRIMARY KEY,
    meter_id    INTEGER NOT NULL REFERENCES meters(id),
    period      TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('initial','regular','final')),
    taken_on    TEXT    NOT NULL,
    zone1       INTEGER NOT NULL CHECK (zone1 >= 0),
    zone2       INTEGER CHECK (zone2 >= 0),
    zone3       INTEGER CHECK (zone3 >= 0),
    source      TEXT    NOT NULL CHECK (source IN ('cabinet','staff','import','app')),
    entered_by  INTEGER REFERENCES users(id),
    entered_at  TEXT    NOT NULL,
    -- why staff should look at it (far above the average); NULL when nothing is odd
    flag        TEXT,
    reviewed_by INTEGER REFERENCES users(id),
    reviewed_at TEXT,
    UNIQUE (meter_id, period, kind)
);
CREATE INDEX readings_period ON readings(period);

-- A reading changed by staff. When its period was already closed the change is billed in
-- `applied_period` as a recalculation; the old values are kept to compute it.
CREATE TABLE reading_corrections (
    id             INTEGER PRIMARY KEY,
    reading_id     INTEGER NOT NULL REFERENCES readings(id),
    old_zone1      INTEGER NOT NULL,
    old_zone2      INTEGER,
    old_zone3      INTEGER,
    reason         TEXT    NOT NULL,
    applied_period TEXT,
    corrected_by   INTEGER NOT NULL REFERENCES users(id),
    corrected_at   TEXT    NOT NULL
);
CREATE INDEX reading_corrections_reading ON reading_corrections(reading_id);

-- Periods whose readings are final (closed by the accountant), per house.
CREATE TABLE reading_periods_closed (
    house_id  INTEGER NOT NULL REFERENCES houses(id),
    period    TEXT    NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    closed_at TEXT    NOT NULL,
    PRIMARY KEY (house_id, period)
);

-- Monthly consumption norms (норматив), dated; basis 'person' (per registered person) or
-- 'm2' (per square metre, heating). Value in thousandths of the unit.
CREATE TABLE consumption_norms (
    id         INTEGER PRIMARY KEY,
    house_id   INTEGER NOT NULL REFERENCES houses(id),
    resource   TEXT    NOT NULL CHECK (resource IN ('cold_water','hot_water','electricity','heat','gas')),
    valid_from TEXT    NOT NULL,
    per_unit   INTEGER NOT NULL CHECK (per_unit >= 0),
    basis      TEXT    NOT NULL CHECK (basis IN ('person','m2')),
    UNIQUE (house_id, resource, valid_from)
);

-- Reminders already sent, so none goes twice: topic is e.g. 'window:2026-11:open' or
-- 'verification:12:2026-12-20'.
CREATE TABLE reading_reminders (
    user_id INTEGER NOT NULL REFERENCES users(id),
    topic   TEXT    NOT NULL,
    sent_at TEXT    NOT NULL,
    PRIMARY KEY (user_id, topic)
);
