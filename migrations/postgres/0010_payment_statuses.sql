-- A card payment the payer cancelled at the bank is no longer "rejected" (the bank's decline),
-- and a confirmed one the bank gave back to the card is "refunded".
ALTER TABLE online_payments DROP CONSTRAINT online_payments_status_check;
ALTER TABLE online_payments ADD CONSTRAINT online_payments_status_check
    CHECK (status IN ('new','pending','cancelled','rejected','expired','confirmed','refunded'));

-- The payments the bank reported cancelled were stored as rejected.
UPDATE online_payments SET status = 'cancelled'
WHERE status = 'rejected'
  AND EXISTS (SELECT 1 FROM payment_notifications n
              WHERE n.order_id = online_payments.order_id AND n.status = 'CANCELED');
