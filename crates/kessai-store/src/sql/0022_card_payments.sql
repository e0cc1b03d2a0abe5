-- Card payments of orders (seed 003): one row per attempt to pay an order by card. Kessai keeps
-- the processor's token, the brand and last four digits, and the card number only sealed
-- (AES-256-GCM under the operator's configured key, `pan_sealed`: nonce and ciphertext,
-- base64). The security code is never written anywhere (PCI DSS 3.3.1).
-- status: pending (sent, no answer yet: the same attempt is retried under its ID as the
-- idempotency key), authorized, declined, error, captured, voided.
CREATE TABLE card_payments (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    status TEXT NOT NULL,
    amount_yen BIGINT NOT NULL,
    processor_id TEXT,
    token TEXT,
    brand TEXT NOT NULL,
    last4 TEXT NOT NULL,
    pan_sealed TEXT NOT NULL,
    decline_code TEXT,
    captured_yen BIGINT NOT NULL DEFAULT 0,
    refunded_yen BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
)
--;;
CREATE INDEX card_payments_of_order ON card_payments (order_id, created_at_ms)
--;;
-- At most one authorization that holds money per order.
CREATE UNIQUE INDEX card_payments_one_hold ON card_payments (order_id)
    WHERE status IN ('authorized', 'captured')
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('card_receivable', 'card_receivable', 'JPY')
