-- Registrations: what each party entered. `public_id` is the deal ID that party uses.
CREATE TABLE registrations (
    public_id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('buyer', 'seller')),
    pairing_key TEXT NOT NULL,
    terms_json TEXT NOT NULL,
    email TEXT NOT NULL,
    lang TEXT NOT NULL,
    shipping_address TEXT,
    bank_account_json TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    deal_id TEXT,
    mismatch_json TEXT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until_ms BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL
)
--;;
CREATE INDEX registrations_open_by_pair ON registrations (pairing_key, role, created_at_ms) WHERE deal_id IS NULL
--;;
-- One row per pairing key, locked while a registration looks for its counterpart, so that two
-- registrations arriving at once on two instances cannot both miss each other.
CREATE TABLE pairing_locks (
    pairing_key TEXT PRIMARY KEY,
    touches BIGINT NOT NULL DEFAULT 0
)
--;;
CREATE TABLE deals (
    id TEXT PRIMARY KEY,
    buyer_id TEXT NOT NULL UNIQUE REFERENCES registrations (public_id),
    seller_id TEXT NOT NULL UNIQUE REFERENCES registrations (public_id),
    item TEXT NOT NULL,
    state TEXT NOT NULL,
    price_yen BIGINT NOT NULL CHECK (price_yen > 0),
    fee_yen BIGINT NOT NULL CHECK (fee_yen >= 0 AND fee_yen <= price_yen),
    received_yen BIGINT NOT NULL CHECK (received_yen >= 0),
    pay_by_ms BIGINT NOT NULL,
    ship_by_ms BIGINT,
    ship_days BIGINT NOT NULL,
    tracking TEXT,
    version BIGINT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
)
--;;
CREATE INDEX deals_by_state_pay_by ON deals (state, pay_by_ms)
--;;
CREATE INDEX deals_by_state_ship_by ON deals (state, ship_by_ms)
--;;
-- The dated timeline shown on deal pages. Registration events carry `public_id`, deal events `deal_id`.
CREATE TABLE deal_events (
    id TEXT PRIMARY KEY,
    deal_id TEXT,
    public_id TEXT,
    at_ms BIGINT NOT NULL,
    event TEXT NOT NULL,
    detail_json TEXT NOT NULL
)
--;;
CREATE INDEX deal_events_by_deal ON deal_events (deal_id, at_ms)
--;;
CREATE INDEX deal_events_by_public ON deal_events (public_id, at_ms)
--;;
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    deal_id TEXT,
    currency TEXT NOT NULL,
    debits_yen BIGINT NOT NULL DEFAULT 0,
    credits_yen BIGINT NOT NULL DEFAULT 0
)
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('bank_clearing', 'bank_clearing', 'JPY')
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('unmatched_receipts', 'unmatched_receipts', 'JPY')
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('fees_earned', 'fees_earned', 'JPY')
--;;
-- `resolution` is 'hold' on the one journal that releases or voids a deal's escrow hold: the
-- unique index makes a second resolution impossible whatever the code above it does.
CREATE TABLE journals (
    id TEXT PRIMARY KEY,
    deal_id TEXT,
    kind TEXT NOT NULL,
    resolution TEXT,
    currency TEXT NOT NULL,
    cause TEXT NOT NULL,
    at_ms BIGINT NOT NULL
)
--;;
CREATE UNIQUE INDEX journals_one_resolution_per_deal ON journals (deal_id, resolution)
--;;
CREATE INDEX journals_by_deal ON journals (deal_id)
--;;
CREATE TABLE journal_lines (
    journal_id TEXT NOT NULL REFERENCES journals (id),
    line_no BIGINT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    amount_yen BIGINT NOT NULL CHECK (amount_yen <> 0),
    PRIMARY KEY (journal_id, line_no)
)
--;;
CREATE INDEX journal_lines_by_account ON journal_lines (account_id)
--;;
-- Incoming transfers as the bank reported them. `bank_ref` is the bank's identity of the
-- record: the same record reported twice is applied once.
CREATE TABLE bank_credits (
    id TEXT PRIMARY KEY,
    bank_ref TEXT NOT NULL UNIQUE,
    amount_yen BIGINT NOT NULL CHECK (amount_yen > 0),
    reference TEXT NOT NULL,
    deal_id TEXT,
    outcome TEXT NOT NULL,
    received_at_ms BIGINT NOT NULL
)
--;;
-- Money that must leave the operator's bank: payouts and refunds, exported as bank files.
CREATE TABLE payment_instructions (
    id TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL REFERENCES deals (id),
    journal_id TEXT NOT NULL REFERENCES journals (id),
    purpose TEXT NOT NULL,
    party TEXT NOT NULL,
    amount_yen BIGINT NOT NULL CHECK (amount_yen > 0),
    bank_account_json TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
)
--;;
CREATE INDEX payment_instructions_by_status ON payment_instructions (status, created_at_ms)
--;;
CREATE TABLE outbox_emails (
    id TEXT PRIMARY KEY,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    deal_ref TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    sent_at_ms BIGINT
)
--;;
CREATE INDEX outbox_emails_due ON outbox_emails (status, next_attempt_ms)
--;;
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code BIGINT NOT NULL,
    response_body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
)
