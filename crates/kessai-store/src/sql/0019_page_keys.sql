-- Keys the server signs its page links with (a contract's progress page: the link is the HMAC
-- of the contract ID under the `contract_page` key), made once by the first server that needs
-- one: every instance sharing the database signs alike, and nothing per contract is stored.
CREATE TABLE page_keys (
    purpose TEXT PRIMARY KEY,
    key_hex TEXT NOT NULL
)
