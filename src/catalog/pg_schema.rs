//! Opening a PostgreSQL catalog: connect, then bring the schema to this
//! version. Versions are numbered in `catalog_schema`; each instance takes a
//! session advisory lock while it looks and applies, so instances starting
//! together apply a version once and none reads a half-made schema.

use super::pg::Pg;
use super::Error;

/// The schema version this build writes and reads.
const VERSION: i64 = 1;

/// The migrations, by the version each brings the schema to.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("pg_schema.sql"))];

/// Any fixed number, shared by every instance.
const LOCK: i64 = 0x1b5_ca7a;

/// Connects to `url` and migrates its schema to [`VERSION`].
pub(super) fn connect(url: &str) -> Result<Pg, Error> {
    let mut pg = Pg::connect(url)?;
    pg.raw(&format!("SELECT pg_advisory_lock({LOCK})"))?;
    let migrated = migrate(&mut pg);
    if migrated.is_err() {
        // The failed migration's error is the one to report; the lock goes
        // with the connection.
        return migrated.map(|()| pg);
    }
    pg.raw(&format!("SELECT pg_advisory_unlock({LOCK})"))?;
    Ok(pg)
}

fn migrate(pg: &mut Pg) -> Result<(), Error> {
    pg.raw("CREATE TABLE IF NOT EXISTS catalog_schema (version BIGINT NOT NULL)")?;
    let current = pg.scalar("SELECT COALESCE(max(version), 0) FROM catalog_schema")?;
    if current > VERSION {
        return Err(Error::Schema(format!(
            "the database's catalog schema is version {current}; this build knows {VERSION}"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        pg.raw(&format!(
            "BEGIN; {sql}; INSERT INTO catalog_schema (version) VALUES ({version}); COMMIT;"
        ))?;
    }
    Ok(())
}
