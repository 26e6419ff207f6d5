//! The catalog's connection: one interface over SQLite (rusqlite, the
//! embedded default) and PostgreSQL (a shared catalog).
//!
//! The catalog's statements are written once, in SQLite's dialect, and run
//! as written on SQLite; on PostgreSQL `pg_sql` rewrites them (parameters,
//! `LIKE`, `COLLATE NOCASE`, null ordering) and `pg` binds and reads values
//! by the types PostgreSQL inferred, as SQLite's type affinity would. Both
//! report failures as `rusqlite::Error`, a PostgreSQL constraint violation
//! carrying SQLite's code for it, so that one set of checks (a name clash, a
//! seed conflict) serves both.

use std::cell::RefCell;

use rusqlite::types::{FromSql, ToSql, Value};

use super::pg::{self, Pg};

/// The database a catalog worker owns.
pub(crate) enum Conn {
    /// SQLite, in a file or in memory.
    Lite(rusqlite::Connection),
    /// PostgreSQL, through a blocking client on the worker thread.
    Pg(Box<RefCell<Pg>>),
}

/// Which engine a connection is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    Sqlite,
    Postgres,
}

impl Conn {
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Conn::Lite(_) => Engine::Sqlite,
            Conn::Pg(_) => Engine::Postgres,
        }
    }

    /// The SQLite connection, for what only SQLite has (pragmas, schema
    /// upgrades of old files).
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Conn::Lite(c) => Some(c),
            Conn::Pg(_) => None,
        }
    }

    /// Prepares `sql`, reusing a prepared statement where one exists.
    pub(crate) fn prepare_cached(&self, sql: &str) -> rusqlite::Result<Stmt<'_>> {
        match self {
            Conn::Lite(c) => c.prepare_cached(sql).map(|s| Stmt::Lite(Lite::Cached(s))),
            Conn::Pg(p) => Ok(Stmt::Pg(p, p.borrow_mut().prepare(sql)?)),
        }
    }

    /// Prepares `sql` afresh: statements built per request, kept out of
    /// SQLite's small statement cache so they do not push the hot ones out
    /// (PostgreSQL's cache is larger and bounded).
    pub(crate) fn prepare(&self, sql: &str) -> rusqlite::Result<Stmt<'_>> {
        match self {
            Conn::Lite(c) => c.prepare(sql).map(|s| Stmt::Lite(Lite::Once(s))),
            Conn::Pg(_) => self.prepare_cached(sql),
        }
    }

    pub(crate) fn execute(&self, sql: &str, args: impl Args) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(args)
    }

    pub(crate) fn query_row<T, F>(&self, sql: &str, args: impl Args, f: F) -> rusqlite::Result<T>
    where
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        self.prepare_cached(sql)?.query_row(args, f)
    }

    /// Runs statements without parameters, one after another.
    pub(crate) fn execute_batch(&self, sql: &str) -> rusqlite::Result<()> {
        match self {
            Conn::Lite(c) => c.execute_batch(sql),
            Conn::Pg(p) => p.borrow_mut().batch(sql),
        }
    }

    /// Before a batch: a PostgreSQL connection that was lost is made again.
    pub(crate) fn reconnect_if_closed(&self) -> rusqlite::Result<()> {
        match self {
            Conn::Lite(_) => Ok(()),
            Conn::Pg(p) => p.borrow_mut().reconnect_if_closed(),
        }
    }

    /// Rows changed since the connection opened, to tell whether a failed
    /// job wrote anything.
    pub(crate) fn total_changes(&self) -> u64 {
        match self {
            Conn::Lite(c) => c.total_changes(),
            Conn::Pg(p) => p.borrow().changes(),
        }
    }

    /// Serialises minting handles and ids (and seeding) with every other
    /// instance on the same database until the transaction ends. One lock
    /// for all of it, the one `pg_schema.sql`'s `next_rowid` takes too, so
    /// that two batches can never wait for each other's. SQLite has one
    /// writer at a time already.
    pub(crate) fn lock_ids(&self) -> rusqlite::Result<()> {
        match self {
            Conn::Lite(_) => Ok(()),
            Conn::Pg(p) => p.borrow_mut().lock_ids(),
        }
    }
}

/// A prepared statement.
pub(crate) enum Stmt<'c> {
    Lite(Lite<'c>),
    Pg(&'c RefCell<Pg>, pg::Prepared),
}

/// An SQLite statement, from the statement cache or prepared for one use.
pub(crate) enum Lite<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Once(rusqlite::Statement<'c>),
}

impl<'c> std::ops::Deref for Lite<'c> {
    type Target = rusqlite::Statement<'c>;

    fn deref(&self) -> &Self::Target {
        match self {
            Lite::Cached(s) => s,
            Lite::Once(s) => s,
        }
    }
}

impl std::ops::DerefMut for Lite<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Lite::Cached(s) => s,
            Lite::Once(s) => s,
        }
    }
}

impl Stmt<'_> {
    /// Runs a statement that returns no rows; says how many rows changed.
    pub(crate) fn execute(&mut self, args: impl Args) -> rusqlite::Result<usize> {
        let args = args.list();
        match self {
            Stmt::Pg(p, s) => p.borrow_mut().execute(s, &args),
            Stmt::Lite(s) => s.execute(rusqlite::params_from_iter(args)),
        }
    }

    /// The first row, mapped; `QueryReturnedNoRows` when there is none.
    pub(crate) fn query_row<T, F>(&mut self, args: impl Args, f: F) -> rusqlite::Result<T>
    where
        F: FnOnce(&Row<'_>) -> rusqlite::Result<T>,
    {
        let args = args.list();
        match self {
            Stmt::Pg(p, s) => {
                let rows = p.borrow_mut().query(s, &args)?;
                let first = rows.first().ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                f(&Row::Pg(first))
            }
            Stmt::Lite(s) => s.query_row(rusqlite::params_from_iter(args), |r| f(&Row::Lite(r))),
        }
    }

    /// Every row, mapped.
    pub(crate) fn query_map<T, F>(&mut self, args: impl Args, mut f: F) -> rusqlite::Result<Rows<T>>
    where
        F: FnMut(&Row<'_>) -> rusqlite::Result<T>,
    {
        let args = args.list();
        let out: Vec<rusqlite::Result<T>> = match self {
            Stmt::Pg(p, s) => {
                let rows = p.borrow_mut().query(s, &args)?;
                rows.iter().map(|r| f(&Row::Pg(r))).collect()
            }
            Stmt::Lite(s) => s
                .query_map(rusqlite::params_from_iter(args), |r| f(&Row::Lite(r)))?
                .collect(),
        };
        Ok(out.into_iter())
    }
}

/// The mapped rows of [`Stmt::query_map`].
pub(crate) type Rows<T> = std::vec::IntoIter<rusqlite::Result<T>>;

/// One row of a result.
pub(crate) enum Row<'a> {
    Lite(&'a rusqlite::Row<'a>),
    Pg(&'a postgres::Row),
}

impl Row<'_> {
    /// Column `idx` (from 0) as `T`, converted as SQLite would.
    pub(crate) fn get<I: Column, T: FromSql>(&self, idx: I) -> rusqlite::Result<T> {
        let idx = idx.index();
        match self {
            Row::Lite(r) => r.get(idx),
            Row::Pg(r) => pg::column(r, idx),
        }
    }
}

/// A column's position (from 0). Only `usize` is one, so that a literal
/// index needs no suffix.
pub(crate) trait Column {
    fn index(self) -> usize;
}

impl Column for usize {
    fn index(self) -> usize {
        self
    }
}

/// A statement's parameters: `params![…]`, an array, a slice, `()` for none,
/// or [`params_from_iter`].
pub(crate) trait Args {
    fn list(&self) -> Vec<&dyn ToSql>;
}

impl Args for () {
    fn list(&self) -> Vec<&dyn ToSql> {
        Vec::new()
    }
}

impl<T: ToSql> Args for &[T] {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

impl<T: ToSql, const N: usize> Args for [T; N] {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

impl<T: ToSql, const N: usize> Args for &[T; N] {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.iter().map(|v| v as &dyn ToSql).collect()
    }
}

/// Parameters gathered from an iterator.
pub(crate) struct Listed<T>(Vec<T>);

impl<T: ToSql> Args for Listed<T> {
    fn list(&self) -> Vec<&dyn ToSql> {
        self.0.iter().map(|v| v as &dyn ToSql).collect()
    }
}

/// Parameters from an iterator (a list built per request).
pub(crate) fn params_from_iter<I>(iter: I) -> Listed<I::Item>
where
    I: IntoIterator,
    I::Item: ToSql,
{
    Listed(iter.into_iter().collect())
}

/// A parameter's value as SQLite would bind it.
pub(crate) fn value_of(v: &dyn ToSql) -> rusqlite::Result<Value> {
    use rusqlite::types::{ToSqlOutput, ValueRef};
    Ok(match v.to_sql()? {
        ToSqlOutput::Borrowed(r) => match r {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        },
        ToSqlOutput::Owned(v) => v,
        // Blobs of zeroes and other forms the catalog never binds.
        _ => Value::Null,
    })
}
