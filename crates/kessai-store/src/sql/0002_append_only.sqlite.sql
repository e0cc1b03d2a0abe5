CREATE TRIGGER journals_append_only_update BEFORE UPDATE ON journals BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END
--;;
CREATE TRIGGER journals_append_only_delete BEFORE DELETE ON journals BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END
--;;
CREATE TRIGGER journal_lines_append_only_update BEFORE UPDATE ON journal_lines BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END
--;;
CREATE TRIGGER journal_lines_append_only_delete BEFORE DELETE ON journal_lines BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END
