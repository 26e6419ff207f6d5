//! Named counters in `sequences` for the ids that are not asset handles
//! (property sets and their types, zoom targets, image maps, Kameleoon
//! images, SharinPix ids). Reading one takes the id lock
//! (`db::Conn::lock_ids`), so instances sharing a database take turns until
//! the batch commits.

use rusqlite::{params, OptionalExtension};

use super::db::Conn;
use super::Error;

/// The counter's stored value, if it was ever set.
pub(super) fn stored(conn: &Conn, sequence: &str) -> Result<Option<i64>, Error> {
    conn.lock_ids()?;
    Ok(conn
        .prepare_cached("SELECT next FROM sequences WHERE name = ?1")?
        .query_row([sequence], |r| r.get(0))
        .optional()?)
}

/// The next id of `table` from counter `sequence`: never below one past the
/// largest id, so a seed need not set the counter.
pub(super) fn next_id(conn: &Conn, sequence: &str, table: &str) -> Result<i64, Error> {
    let stored = stored(conn, sequence)?;
    // `table` is one of the catalog's constants, never request text.
    let max: i64 = conn
        .prepare_cached(&format!("SELECT COALESCE(max(id), 0) FROM {table}"))?
        .query_row((), |r| r.get(0))?;
    Ok(stored.unwrap_or(0).max(max + 1))
}

/// Sets counter `sequence` to `next`.
pub(super) fn set(conn: &Conn, sequence: &str, next: i64) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT INTO sequences (name, next) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET next = excluded.next",
    )?
    .execute(params![sequence, next])?;
    Ok(())
}
