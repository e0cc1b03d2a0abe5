//! The schema, as numbered migrations applied in order on start and by `kessai migrate`.
//! A statement is the same on both backends unless a migration gives one per backend.

use crate::db::{execute_batch, query, query_scalar};
use crate::{Backend, Db, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    both: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "escrow core",
        both: include_str!("sql/0001_escrow.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 2,
        name: "ledger is append-only",
        both: "",
        sqlite: include_str!("sql/0002_append_only.sqlite.sql"),
        postgres: include_str!("sql/0002_append_only.postgres.sql"),
    },
    Migration {
        version: 3,
        name: "bank files",
        both: include_str!("sql/0003_bank_files.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 4,
        name: "bank exports",
        both: include_str!("sql/0004_bank_exports.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 5,
        name: "bank answers",
        both: include_str!("sql/0005_bank_answers.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 6,
        name: "virtual accounts",
        both: include_str!("sql/0006_virtual_accounts.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 7,
        name: "payer codes",
        both: include_str!("sql/0007_payer_codes.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 8,
        name: "suspense returns and reversal claims",
        both: include_str!("sql/0008_suspense.sql"),
        sqlite: include_str!("sql/0008_suspense.sqlite.sql"),
        postgres: include_str!("sql/0008_suspense.postgres.sql"),
    },
    Migration {
        version: 9,
        name: "entry identity, content and per-file accounting",
        both: include_str!("sql/0009_entry_identity.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 10,
        name: "sign-in sessions",
        both: include_str!("sql/0010_sessions.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 11,
        name: "instruction lists by index",
        both: include_str!("sql/0011_instruction_lists.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 12,
        name: "marketplace sites and contracts",
        both: include_str!("sql/0012_sites_contracts.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 13,
        name: "direct debits of contracts",
        both: include_str!("sql/0013_debits.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 14,
        name: "deliveries of contracts and carrier files",
        both: include_str!("sql/0014_deliveries.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 15,
        name: "payouts of contracts",
        both: include_str!("sql/0015_payouts.sql"),
        sqlite: include_str!("sql/0015_payouts.sqlite.sql"),
        postgres: include_str!("sql/0015_payouts.postgres.sql"),
    },
    Migration {
        version: 16,
        name: "webhooks to sites",
        both: include_str!("sql/0016_webhooks.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 17,
        name: "shipping lead times of sites",
        both: include_str!("sql/0017_shipping_lead.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 18,
        name: "sweeps, and the account each debit pays into",
        both: include_str!("sql/0018_sweeps.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 19,
        name: "keys of page links",
        both: include_str!("sql/0019_page_keys.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 20,
        name: "emails to contracts' parties",
        both: include_str!("sql/0020_contract_notices.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 21,
        name: "merchants and orders of the payment agency",
        both: include_str!("sql/0021_merchants_orders.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 22,
        name: "card payments of orders",
        both: include_str!("sql/0022_card_payments.sql"),
        sqlite: "",
        postgres: "",
    },
    Migration {
        version: 23,
        name: "konbini slips and the collection agent's files",
        both: include_str!("sql/0023_konbini.sql"),
        sqlite: "",
        postgres: "",
    },
];

/// Statements are separated by lines holding only `--;;` so that PL/pgSQL bodies may hold `;`.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split("\n--;;\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

impl Store {
    /// Applies every migration not yet applied. Safe to run concurrently from several
    /// instances on PostgreSQL: the version table's primary key lets only one apply each step.
    pub async fn migrate(&self) -> Result<Vec<&'static str>> {
        self.migrate_to(i64::MAX).await
    }

    /// Applies the migrations up to and including `last_version` (tests of a migration start
    /// from the schema before it).
    pub async fn migrate_to(&self, last_version: i64) -> Result<Vec<&'static str>> {
        execute_batch(Db::Pool(self.pool()), "CREATE TABLE IF NOT EXISTS kessai_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)")
            .await?;
        let mut applied = vec![];
        for m in MIGRATIONS.iter().filter(|m| m.version <= last_version) {
            let mut tx = self.begin().await?;
            if self.backend == Backend::Postgres {
                // Serializes concurrent migrators; released at commit.
                execute_batch(tx.conn(), "LOCK TABLE kessai_migrations IN EXCLUSIVE MODE").await?;
            }
            let done: Option<i64> =
                query_scalar("SELECT version FROM kessai_migrations WHERE version = $1")
                    .bind(m.version)
                    .fetch_optional(tx.conn())
                    .await?;
            if done.is_some() {
                continue;
            }
            let specific = match self.backend {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
            for statement in statements(m.both).chain(statements(specific)) {
                execute_batch(tx.conn(), statement).await?;
            }
            query(
                "INSERT INTO kessai_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(wall_clock_ms())
            .execute(tx.conn())
            .await?;
            tx.commit().await?;
            applied.push(m.name);
        }
        Ok(applied)
    }
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
