-- A house's bills (ЕПД) for a posted period made in one job: every account's PDF in one ZIP
-- file (kept under the files folder), and, when asked, each e-mailed to the account's residents
-- through the notification path. Progress done/total; failed with a reason.
CREATE TABLE bill_batches (
    id          INTEGER PRIMARY KEY,
    house_id    INTEGER NOT NULL REFERENCES houses(id),
    period      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('queued','running','done','failed')),
    send_email  BOOLEAN NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    total       INTEGER NOT NULL DEFAULT 0,
    notified    INTEGER NOT NULL DEFAULT 0,
    file_path   TEXT,
    error       TEXT,
    started_by  INTEGER REFERENCES users(id),
    started_at  TEXT    NOT NULL,
    finished_at TEXT
);
CREATE INDEX bill_batches_house ON bill_batches(house_id, period);
