-- An account's lines are found through its house's runs (accrual_lines_run: run, account), so
-- the index by account alone only slowed every accrual run's writing.
DROP INDEX accrual_lines_account;
