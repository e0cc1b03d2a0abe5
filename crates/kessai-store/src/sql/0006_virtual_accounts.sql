-- A collection account number per deal, drawn from the operator's configured range, so that
-- money paid into it matches its deal without any reference.
CREATE TABLE virtual_accounts (
    account_number TEXT PRIMARY KEY,
    deal_id TEXT NOT NULL UNIQUE REFERENCES deals (id),
    created_at_ms BIGINT NOT NULL
)
--;;
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    next_value BIGINT NOT NULL
)
