-- The payment agency (seed 003): merchants (加盟店) onboarded once, and their orders, one
-- table for every payment method (kessai_core::order). A merchant's API key is stored as its
-- SHA-256 only; `signing_secret` signs requests both ways (HMAC-SHA256 over timestamp.body),
-- so it is kept as it is, as a site's webhook secret is.
CREATE TABLE merchants (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_sha256 TEXT NOT NULL UNIQUE,
    key_created_at_ms BIGINT NOT NULL,
    signing_secret TEXT NOT NULL,
    webhook_url TEXT,
    -- kessai_core::BankAccount as JSON: where the merchant is paid.
    payout_account_json TEXT NOT NULL,
    -- The methods it takes, comma-separated (bank_transfer,konbini,card), and the fee rule
    -- of each as JSON ({"card":{"rate_basis_points":360,"fixed_yen":0},...}).
    methods TEXT NOT NULL,
    fees_json TEXT NOT NULL,
    -- The contract's validity, YYYY-MM-DD (JST), both days included.
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    -- active | suspended
    status TEXT NOT NULL,
    -- accept | refund: money for an order that arrives after its expiry.
    late_payment TEXT NOT NULL,
    -- on_shipment | immediate: when a card authorization is captured.
    card_capture TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
)
--;;
-- `body` is the order's canonical JSON (kessai_core::order::Order) and `content_sha256` its
-- digest, which a repeat of the same number is compared by.
CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    number TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    body TEXT NOT NULL,
    amount_yen BIGINT NOT NULL,
    status TEXT NOT NULL,
    -- The method that paid or holds it (null until the buyer picks one).
    method TEXT,
    refunded_yen BIGINT NOT NULL DEFAULT 0,
    expires_at_ms BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    UNIQUE (merchant_id, number)
)
--;;
CREATE INDEX orders_of_merchant ON orders (merchant_id, created_at_ms, id)
--;;
CREATE INDEX orders_by_status ON orders (status, expires_at_ms)
--;;
-- Each order's timeline: every move, with what caused it.
CREATE TABLE order_events (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    at_ms BIGINT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    detail_json TEXT NOT NULL
)
--;;
CREATE INDEX order_events_of_order ON order_events (order_id, at_ms, id)
