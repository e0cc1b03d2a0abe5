-- Webhooks to the sites (seed 001, step 8): an event for every change of a contract's status,
-- written in the transaction that made the change, holding the contract's tracks as they
-- became: the body is rendered from these columns, the same bytes at every attempt. The
-- webhook worker delivers them under a lease, as the email outbox is delivered.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id),
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    number TEXT NOT NULL,
    debit_state TEXT NOT NULL,
    delivery_state TEXT NOT NULL,
    payout_state TEXT NOT NULL,
    paid_on TEXT,
    created_at_ms BIGINT NOT NULL,
    -- pending (to send, or to send again), delivered, failed (given up: a replay sends it again).
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- The attempt after which it is given up (a replay moves it on).
    give_up_at BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    delivered_at_ms BIGINT
)
--;;
CREATE INDEX webhook_events_due ON webhook_events (status, next_attempt_ms)
--;;
-- Event IDs begin with a time-ordered UUID (v7): a site's events by ID are oldest first.
CREATE INDEX webhook_events_of_site ON webhook_events (site_id, id)
--;;
-- The delivery log: every attempt, with what the receiver answered or why it could not.
CREATE TABLE webhook_attempts (
    event_id TEXT NOT NULL REFERENCES webhook_events (id),
    attempt BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    http_status BIGINT,
    error TEXT,
    PRIMARY KEY (event_id, attempt)
)
