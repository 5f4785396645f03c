-- A card payment the payer cancelled at the bank is no longer "rejected" (the bank's decline),
-- and a confirmed one the bank gave back to the card is "refunded". SQLite changes a CHECK only
-- by rebuilding the table (foreign keys are off while migrations run, see Db::migrate).
CREATE TABLE online_payments_new (
    id          INTEGER PRIMARY KEY,
    order_id    TEXT    NOT NULL UNIQUE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    provider    TEXT    NOT NULL,
    provider_id TEXT,
    amount      INTEGER NOT NULL CHECK (amount > 0),
    status      TEXT    NOT NULL CHECK (status IN ('new','pending','cancelled','rejected','expired','confirmed','refunded')),
    payment_url TEXT,
    receipt_url TEXT,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    paid_at     TEXT
);
INSERT INTO online_payments_new SELECT * FROM online_payments;
DROP TABLE online_payments;
ALTER TABLE online_payments_new RENAME TO online_payments;
CREATE INDEX online_payments_user ON online_payments(user_id, created_at);

-- The payments the bank reported cancelled were stored as rejected.
UPDATE online_payments SET status = 'cancelled'
WHERE status = 'rejected'
  AND EXISTS (SELECT 1 FROM payment_notifications n
              WHERE n.order_id = online_payments.order_id AND n.status = 'CANCELED');
