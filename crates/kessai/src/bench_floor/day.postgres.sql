-- The rows one marketplace day of {N} contracts writes at the least, as set-based SQL inside
-- PostgreSQL itself, on Kessai's own schema (migrated first) and settings: no application code, no
-- bank or carrier file parsed or written, one transaction per stage. `kessai bench floor` runs
-- it and prints each stage's seconds: the floor under `kessai bench settlement`'s figures.
-- Stages start at `-- stage: NAME` lines; statements end with `;` at the end of a line.
CREATE TEMP TABLE n AS SELECT i FROM generate_series(1, {N}) AS i;
INSERT INTO sites (id, name, api_key_sha256, key_created_at_ms, main_bank, collection_banks, fee_rate_bp, fee_fixed_yen, debit_lead_days, delivery_lead_days, payout_lead_days, delivery_after_payout, created_at_ms)
  VALUES ('bench','Bench','x',0,'0001','0001,0005',300,0,2,1,2,0,0);
INSERT INTO accounts (id, kind, currency) VALUES ('collection_bank:0005','collection_bank','JPY');
INSERT INTO bank_exports (id, format, value_date, file_name, content_b64, records, total_yen, created_at_ms) VALUES ('x-debit','zengin','2026-12-07','d','',0,0,0), ('x-deliv','csv','2026-12-07','v','',0,0,0);
INSERT INTO bank_files (id, sha256, format, name, records, applied, duplicates, imported_at_ms) VALUES ('f-stmt','s','zengin','s',0,0,0,0);
-- stage: upload
INSERT INTO contracts (id, site_id, number, content_sha256, body, amount_yen, buyer_bank_code, debit_state, delivery_state, created_at_ms)
  SELECT lpad(to_hex(i), 12, '0') || '-contract',
         'bench', 'BENCH-' || lpad(i::text, 8, '0'), md5(i::text),
         format('{"number":"BENCH-%s","amount_yen":%s,"buyer":{"name":"買手 %s","address":"東京都千代田区丸の内1-%s","account":{"bank_code":"0001","branch_code":"001","account_type":"ordinary","account_number":"%s","holder_name":"ｶｲﾃ %s"}},"seller":{"name":"売手 %s","address":"大阪府大阪市北区梅田2-%s","account":{"bank_code":"0005","branch_code":"123","account_type":"ordinary","account_number":"%s","holder_name":"ｳﾘﾃ %s"}},"goods":{"name":"部品","model":"P-%s","quantity":1},"terms":{"payout":"after_shipment","pooling":"pooled"}}', lpad(i::text, 8, '0'), 1000 + i % 90000, i % 977, i % 977, lpad((2000000 + i)::text, 7, '0'), i % 977, i % 331, i % 331, lpad((3000000 + i % 331)::text, 7, '0'), i % 331, i % 977),
         1000 + i % 90000, CASE WHEN i % 2 = 0 THEN '0001' ELSE '0005' END, 'not_requested', 'waiting', 0
  FROM n;
-- stage: debit-run
INSERT INTO debit_items (ref, export_id, contract_id, bank_code, debit_date, amount_yen, paid_into)
  SELECT row_number() OVER (), 'x-debit', id, buyer_bank_code, '2026-12-07', amount_yen, CASE WHEN buyer_bank_code = '0005' THEN 'collection:0005' ELSE 'main' END FROM contracts;
UPDATE contracts SET debit_state = 'requested';
-- stage: bank-results
UPDATE debit_items SET result = 'debited', answered_at_ms = 1;
UPDATE contracts SET debit_state = 'debited';
INSERT INTO accounts (id, kind, deal_id, currency) SELECT 'held:' || id, 'held', id, 'JPY' FROM contracts;
INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) SELECT 'jd' || id, id, 'collect', NULL, 'JPY', 'direct_debit', 1 FROM contracts;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'jd' || id, 0, CASE WHEN buyer_bank_code = '0005' THEN 'collection_bank:0005' ELSE 'bank_clearing' END, amount_yen FROM contracts;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'jd' || id, 1, 'held:' || id, -amount_yen FROM contracts;
UPDATE accounts SET credits_yen = (SELECT amount_yen FROM contracts WHERE id = accounts.deal_id) WHERE kind = 'held';
-- stage: delivery-run
INSERT INTO deliveries (ref, export_id, contract_id, ship_date) SELECT row_number() OVER (), 'x-deliv', id, '2026-12-08' FROM contracts;
UPDATE contracts SET delivery_state = 'instructed';
-- stage: notices
UPDATE deliveries SET tracking_number = lpad(ref::text, 12, '0'), shipped_on = '2026-12-09', notice_at_ms = 1;
UPDATE contracts SET delivery_state = 'shipped';
-- stage: payout-run
INSERT INTO accounts (id, kind, deal_id, currency) SELECT 'payout_due:' || id, 'payout_due', id, 'JPY' FROM contracts;
INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) SELECT 'jp' || id, id, 'release', 'hold', 'JPY', 'payout_run', 1 FROM contracts;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'jp' || id, 0, 'held:' || id, amount_yen FROM contracts;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'jp' || id, 1, 'payout_due:' || id, -(amount_yen - amount_yen * 3 / 100) FROM contracts;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'jp' || id, 2, 'fees_earned', -(amount_yen * 3 / 100) FROM contracts;
UPDATE accounts SET debits_yen = credits_yen WHERE kind = 'held';
UPDATE accounts SET credits_yen = (SELECT amount_yen - amount_yen * 3 / 100 FROM contracts WHERE id = accounts.deal_id) WHERE kind = 'payout_due';
INSERT INTO payment_instructions (id, contract_id, journal_id, purpose, party, amount_yen, bank_account_json, status, payee_ref, created_at_ms)
  SELECT 'pi' || id, id, 'jp' || id, 'payout', 'seller', amount_yen - amount_yen * 3 / 100, '{"bank_code":"0005","branch_code":"123","account_type":"ordinary","account_number":"3000001","holder_name":"ｳﾘﾃ 1"}', 'pending', 'PAY' || right(id, 16), 1 FROM contracts;
UPDATE contracts SET payout_state = 'instructed';
UPDATE payment_instructions SET status = 'sent', export_id = 'x-pay';
-- stage: bank-confirmation
INSERT INTO bank_entries (file_id, position, identity, content, amount_yen, outcome, instruction_id)
  SELECT 'f-stmt', row_number() OVER (), 'zengin03:1234567:' || id, '{"kind":"withdrawal","edi":"' || payee_ref || '","amount_yen":' || amount_yen || '}', amount_yen, 'applied', id FROM payment_instructions;
INSERT INTO bank_answers (identity, instruction_id, answer, at_ms, content) SELECT 'zengin03:1234567:' || id, id, 'settled', 1, 'c' FROM payment_instructions;
UPDATE payment_instructions SET status = 'completed';
INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) SELECT 'js' || contract_id, contract_id, 'payout_settled', NULL, 'JPY', 'bank_answer', 1 FROM payment_instructions;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'js' || contract_id, 0, 'payout_due:' || contract_id, amount_yen FROM payment_instructions;
INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) SELECT 'js' || contract_id, 1, 'bank_clearing', -amount_yen FROM payment_instructions;
UPDATE accounts SET debits_yen = credits_yen WHERE kind = 'payout_due';
UPDATE contracts SET payout_state = 'paid', paid_on = '2026-12-09';
