//! PostgreSQL under the catalog's interface: a blocking client owned by the
//! catalog worker thread, prepared statements cached by their SQLite text,
//! parameters bound and columns read by the types PostgreSQL inferred (as
//! SQLite's affinity would convert them), and failures reported as SQLite's.

use std::collections::HashMap;
use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, FromSql, IsNull, ToSql, Type};
use rusqlite::types::{Value, ValueRef};

use super::db::value_of;
use super::pg_sql;

/// Prepared statements kept; statements built per request (searches) would
/// otherwise grow the cache without end.
const CACHE: usize = 1024;

/// A prepared statement and whether it changes rows.
#[derive(Clone)]
pub(crate) struct Prepared(postgres::Statement, bool);

/// The client and its statement cache.
pub(crate) struct Pg {
    url: String,
    client: postgres::Client,
    cache: HashMap<String, Prepared>,
    changes: u64,
}

impl Pg {
    /// Connects to `url` (`postgres://user:password@host:port/database`).
    /// Must not run on the async runtime: the client blocks.
    pub(crate) fn connect(url: &str) -> rusqlite::Result<Pg> {
        let client = open(url)?;
        Ok(Pg {
            url: url.to_owned(),
            client,
            cache: HashMap::new(),
            changes: 0,
        })
    }

    /// Connects again if the connection was lost (the server restarted, a
    /// network cut): the batch about to begin then runs on the new one.
    pub(crate) fn reconnect_if_closed(&mut self) -> rusqlite::Result<()> {
        if self.client.is_closed() {
            self.client = open(&self.url)?;
            self.cache.clear();
            tracing::warn!("reconnected to the PostgreSQL catalog");
        }
        Ok(())
    }

    pub(crate) fn prepare(&mut self, sql: &str) -> rusqlite::Result<Prepared> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        let translated = pg_sql::translate(sql);
        let stmt = self.client.prepare(&translated).map_err(failure)?;
        if self.cache.len() >= CACHE {
            self.cache.clear();
        }
        let prepared = Prepared(stmt, is_write(sql));
        self.cache.insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }

    pub(crate) fn execute(&mut self, s: &Prepared, args: &[&dyn rusqlite::ToSql]) -> rusqlite::Result<usize> {
        let bound = bind(args)?;
        let refs = refs(&bound);
        let n = self.client.execute(&s.0, &refs).map_err(failure)?;
        self.changes += n;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    pub(crate) fn query(
        &mut self,
        s: &Prepared,
        args: &[&dyn rusqlite::ToSql],
    ) -> rusqlite::Result<Vec<postgres::Row>> {
        let bound = bind(args)?;
        let refs = refs(&bound);
        let rows = self.client.query(&s.0, &refs).map_err(failure)?;
        // A write with RETURNING changes as many rows as it returns.
        if s.1 {
            self.changes += rows.len() as u64;
        }
        Ok(rows)
    }

    pub(crate) fn batch(&mut self, sql: &str) -> rusqlite::Result<()> {
        self.client.batch_execute(&pg_sql::translate(sql)).map_err(failure)
    }

    /// Runs `sql` as written (schema, locks), not translated.
    pub(crate) fn raw(&mut self, sql: &str) -> rusqlite::Result<()> {
        self.client.batch_execute(sql).map_err(failure)
    }

    /// The one integer `sql` answers.
    pub(crate) fn scalar(&mut self, sql: &str) -> rusqlite::Result<i64> {
        let row = self.client.query_one(sql, &[]).map_err(failure)?;
        column(&row, 0)
    }

    pub(crate) fn changes(&self) -> u64 {
        self.changes
    }

    /// The transaction-scoped advisory lock on minting ids.
    pub(crate) fn lock_ids(&mut self) -> rusqlite::Result<()> {
        self.client
            .batch_execute("SELECT pg_advisory_xact_lock(hashtext('ids'))")
            .map_err(failure)
    }
}

/// Whether a statement changes rows (its returned rows count as changes).
fn is_write(sql: &str) -> bool {
    let head: String = sql
        .trim_start()
        .chars()
        .take(6)
        .collect::<String>()
        .to_ascii_uppercase();
    ["INSERT", "UPDATE", "DELETE"].iter().any(|w| head.starts_with(w))
}

/// A connection with bounds on waiting: to connect, for a silent peer
/// (keepalives), for a lock, and for a session that holds a transaction
/// open and does nothing (a frozen instance holding the id lock).
fn open(url: &str) -> rusqlite::Result<postgres::Client> {
    use std::time::Duration;
    let mut config: postgres::Config = url.parse().map_err(failure)?;
    config
        .connect_timeout(Duration::from_secs(10))
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30));
    let mut client = config.connect(postgres::NoTls).map_err(failure)?;
    client
        .batch_execute("SET lock_timeout = '30s'; SET idle_in_transaction_session_timeout = '300s'")
        .map_err(failure)?;
    Ok(client)
}

fn refs(bound: &[Bound]) -> Vec<&(dyn ToSql + Sync)> {
    bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect()
}

fn bind(args: &[&dyn rusqlite::ToSql]) -> rusqlite::Result<Vec<Bound>> {
    args.iter().map(|a| value_of(*a).map(Bound)).collect()
}

/// A parameter, converted to whatever type PostgreSQL inferred for it.
#[derive(Debug)]
struct Bound(Value);

impl ToSql for Bound {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match &self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => integer(*i, ty, out),
            Value::Real(f) => real(*f, ty, out),
            Value::Text(s) => text(s, ty, out),
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                _ => text(&String::from_utf8_lossy(b), ty, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

type Encoded = Result<IsNull, Box<dyn StdError + Sync + Send>>;

fn integer(i: i64, ty: &Type, out: &mut BytesMut) -> Encoded {
    match *ty {
        Type::INT8 => i.to_sql(ty, out),
        Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
        Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
        Type::BOOL => (i != 0).to_sql(ty, out),
        Type::FLOAT8 => (i as f64).to_sql(ty, out),
        Type::FLOAT4 => (i as f32).to_sql(ty, out),
        _ => text(&i.to_string(), ty, out),
    }
}

fn real(f: f64, ty: &Type, out: &mut BytesMut) -> Encoded {
    match *ty {
        Type::FLOAT8 => f.to_sql(ty, out),
        Type::FLOAT4 => (f as f32).to_sql(ty, out),
        Type::INT8 | Type::INT4 | Type::INT2 | Type::BOOL if f.fract() == 0.0 => integer(f as i64, ty, out),
        _ => text(&f.to_string(), ty, out),
    }
}

fn text(s: &str, ty: &Type, out: &mut BytesMut) -> Encoded {
    match *ty {
        Type::INT8 | Type::INT4 | Type::INT2 | Type::BOOL => integer(s.trim().parse::<i64>()?, ty, out),
        Type::FLOAT8 | Type::FLOAT4 => real(s.trim().parse::<f64>()?, ty, out),
        Type::BYTEA => s.as_bytes().to_sql(ty, out),
        // Text, and types PostgreSQL could not infer (sent as text).
        _ => {
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
    }
}

/// Column `idx` of `row` as `T`, through the value SQLite would hold.
pub(crate) fn column<T: rusqlite::types::FromSql>(row: &postgres::Row, idx: usize) -> rusqlite::Result<T> {
    let cell: Cell = row
        .try_get(idx)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Null, Box::new(e)))?;
    let value = cell.0;
    T::column_result(ValueRef::from(&value)).map_err(|e| match e {
        rusqlite::types::FromSqlError::InvalidType => {
            rusqlite::Error::InvalidColumnType(idx, format!("column {idx}"), value.data_type())
        }
        other => rusqlite::Error::FromSqlConversionFailure(idx, value.data_type(), Box::new(other)),
    })
}

/// A column of any type, as SQLite's value.
struct Cell(Value);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Cell(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Integer(i16::from_sql(ty, raw)?.into()),
            Type::OID => Value::Integer(u32::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Integer(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
        }))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Box<dyn StdError + Sync + Send>> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A NUMERIC in PostgreSQL's binary form (what `sum` of integers gives):
/// an integer when it has no fraction, else a float.
fn numeric(raw: &[u8]) -> Result<Value, Box<dyn StdError + Sync + Send>> {
    let word = |i: usize| -> Result<i16, Box<dyn StdError + Sync + Send>> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("short numeric")?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    };
    let (digits, weight, sign, scale) = (word(0)?, word(1)?, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let mut value = 0f64;
    for i in 0..digits.max(0) as usize {
        let d = f64::from(word(4 + i)?);
        value += d * 10000f64.powi(i32::from(weight) - i as i32);
    }
    if sign == 0x4000 {
        value = -value;
    }
    Ok(if scale == 0 && value.abs() < 9.0e15 {
        Value::Integer(value as i64)
    } else {
        Value::Real(value)
    })
}

/// A PostgreSQL failure as SQLite's: constraint violations keep their kind.
pub(crate) fn failure(e: postgres::Error) -> rusqlite::Error {
    use rusqlite::ffi;
    let code = match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => ffi::SQLITE_CONSTRAINT_UNIQUE,
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
        Some(c) if *c == SqlState::NOT_NULL_VIOLATION => ffi::SQLITE_CONSTRAINT_NOTNULL,
        Some(c) if *c == SqlState::CHECK_VIOLATION => ffi::SQLITE_CONSTRAINT_CHECK,
        Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
            ffi::SQLITE_BUSY
        }
        _ => ffi::SQLITE_ERROR,
    };
    let detail = match e.as_db_error() {
        Some(db) => format!("postgres: {}", db.message()),
        None => format!("postgres: {e}"),
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), Some(detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerics_read_as_sqlite_numbers() {
        // 12345678 = 1234 * 10000 + 5678: two digits, weight 1.
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xD2, 0x16, 0x2E];
        assert_eq!(numeric(&raw).expect("numeric"), Value::Integer(12_345_678));
        let negative = [0, 1, 0, 0, 0x40, 0, 0, 0, 0, 7];
        assert_eq!(numeric(&negative).expect("numeric"), Value::Integer(-7));
        let zero = [0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(numeric(&zero).expect("numeric"), Value::Integer(0));
    }
}
