-- Marketplace sites (seed 001) and the sales contracts they hand to Kessai.
-- A site's API key is stored as its SHA-256 only (keys are random, 256 bits).
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    api_key_sha256 TEXT NOT NULL UNIQUE,
    key_created_at_ms BIGINT NOT NULL,
    webhook_url TEXT,
    webhook_secret TEXT,
    -- The operator's bank (a configured collection account) that is this site's main account,
    -- and the banks whose collection accounts its buyers are debited into, comma-separated.
    main_bank TEXT NOT NULL,
    collection_banks TEXT NOT NULL,
    fee_rate_bp BIGINT NOT NULL,
    fee_fixed_yen BIGINT NOT NULL,
    -- Standard lead times in business days, for the planned dates of a contract.
    debit_lead_days BIGINT NOT NULL,
    delivery_lead_days BIGINT NOT NULL,
    payout_lead_days BIGINT NOT NULL,
    -- 1: the goods are instructed to the carrier only once the seller is paid.
    delivery_after_payout BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL
)
--;;
-- One row per contract; `body` is its canonical JSON (kessai_core::contract::Contract), and
-- `content_sha256` its digest, which a repeat of the same number is compared by.
CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    number TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    body TEXT NOT NULL,
    amount_yen BIGINT NOT NULL,
    buyer_bank_code TEXT NOT NULL,
    due_date TEXT,
    -- Two tracks, as a bill ships before its debit (kessai_core::contract::{debit, delivery}):
    -- not_requested → requested → debited | failed, and waiting → instructed → shipped.
    debit_state TEXT NOT NULL,
    delivery_state TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    UNIQUE (site_id, number)
)
--;;
CREATE INDEX contracts_of_site ON contracts (site_id, id)
--;;
CREATE INDEX contracts_to_debit ON contracts (debit_state, buyer_bank_code)
--;;
CREATE INDEX contracts_to_deliver ON contracts (delivery_state)
