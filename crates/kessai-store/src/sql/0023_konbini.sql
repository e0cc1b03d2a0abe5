-- Konbini payments of orders (seed 003): the slip Kessai issues (its payment number and
-- GS1-128 barcode data, unique), the collection agent's payment files imported once each (by
-- digest), and each store payment recorded once under its identity in the agent's reports
-- (agent, report kind, payment number, time paid), with what became of it.
-- Slip status: issued, reported (a preliminary report saw it paid), paid (confirmed).
CREATE TABLE konbini_slips (
    id TEXT PRIMARY KEY,
    order_id TEXT NOT NULL REFERENCES orders (id),
    payment_number TEXT NOT NULL UNIQUE,
    barcode TEXT NOT NULL UNIQUE,
    amount_yen BIGINT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL
)
--;;
CREATE INDEX konbini_slips_of_order ON konbini_slips (order_id)
--;;
CREATE TABLE konbini_files (
    id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    agent TEXT NOT NULL,
    kind TEXT NOT NULL,
    records BIGINT NOT NULL,
    imported_at_ms BIGINT NOT NULL
)
--;;
-- outcome: applied (the order paid), reported (preliminary), late_accepted, late_refund_due,
-- paid_twice (the order was paid by something else: the money is owed back), unknown (no slip
-- has the number: kept for the operator), amount_differs (kept for the operator).
CREATE TABLE konbini_payments (
    identity TEXT PRIMARY KEY,
    file_id TEXT NOT NULL REFERENCES konbini_files (id),
    slip_id TEXT REFERENCES konbini_slips (id),
    kind TEXT NOT NULL,
    payment_number TEXT NOT NULL,
    amount_yen BIGINT NOT NULL,
    paid_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at_ms BIGINT NOT NULL
)
--;;
INSERT INTO accounts (id, kind, currency) VALUES ('konbini_receivable', 'konbini_receivable', 'JPY')
