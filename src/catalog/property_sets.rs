//! Property sets: their types (a company's, or global) and the sets of
//! name-value pairs attached to an owner, a company or a user. Every change
//! is one job: creating a set (and removing the one it replaces), updating
//! its properties, deleting it with its properties. Ids are minted from
//! the `sequences` counters `property_set_type` and `property_set`.

use super::db::{Conn, Row};
use rusqlite::{params, OptionalExtension};

use super::counters;
use super::queries::company_exists;
use super::{Catalog, Error};

/// The `sequences` row of the next set id.
const SET_SEQUENCE: &str = "property_set";
/// The `sequences` row of the next type id.
const TYPE_SEQUENCE: &str = "property_set_type";

/// Who a property set is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A company, by id.
    Company(i64),
    /// A user, by id.
    User(i64),
}

impl Owner {
    /// The key the catalog keeps: `c|<id>` or `u|<id>`.
    fn key(self) -> String {
        match self {
            Owner::Company(id) => format!("c|{id}"),
            Owner::User(id) => format!("u|{id}"),
        }
    }

    fn from_key(key: &str) -> Option<Owner> {
        let (kind, id) = key.split_once('|')?;
        let id = id.parse().ok()?;
        match kind {
            "c" => Some(Owner::Company(id)),
            "u" => Some(Owner::User(id)),
            _ => None,
        }
    }
}

/// A property set type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertySetType {
    /// Its id (`pt|<id>`).
    pub id: i64,
    /// The company it belongs to; `None`: a global type.
    pub company_id: Option<i64>,
    /// Its name, unique among the company's (or the global) types.
    pub name: String,
    /// `UserProperty`, `CompanyProperty` or `UserCompanyProperty`.
    pub property_type: String,
    /// Whether an owner may have several sets of the type.
    pub allow_multiple: bool,
}

/// A property set with its properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropertySet {
    /// Its id (`ps|<id>`).
    pub id: i64,
    /// Its type's id.
    pub type_id: i64,
    /// Its primary owner.
    pub primary: Owner,
    /// Its secondary owner, if any.
    pub secondary: Option<Owner>,
    /// `(name, value)` pairs, in the order the names were first given.
    pub properties: Vec<(String, String)>,
}

/// A set to create (its type and owners already checked by the caller).
#[derive(Clone, Debug)]
pub struct NewPropertySet {
    /// Its type.
    pub type_id: i64,
    /// Its primary owner.
    pub primary: Owner,
    /// Its secondary owner, if any.
    pub secondary: Option<Owner>,
    /// `(name, value)` pairs, names distinct.
    pub properties: Vec<(String, String)>,
}

/// The property set types and sets a seed holds.
#[derive(Clone, Debug, Default)]
pub struct PropertySetSeed {
    /// Types, with their ids.
    pub types: Vec<PropertySetType>,
    /// Sets, with their ids.
    pub sets: Vec<PropertySet>,
}

impl Catalog {
    /// The types of `company`, or the global ones when `None`, by id.
    pub async fn property_set_types(&self, company: Option<i64>) -> Result<Vec<PropertySetType>, Error> {
        self.call_single_statement(move |t| {
            let mut stmt = t.conn.prepare_cached(concat!(
                "SELECT ",
                type_columns!(),
                " FROM property_set_types WHERE company_id IS ?1 ORDER BY id"
            ))?;
            let rows = stmt.query_map([company], type_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The type called `name` (exactly) of `company`, or the global one.
    pub async fn property_set_type_named(
        &self,
        company: Option<i64>,
        name: String,
    ) -> Result<Option<PropertySetType>, Error> {
        self.call_single_statement(move |t| {
            Ok(t.conn
                .prepare_cached(concat!(
                    "SELECT ",
                    type_columns!(),
                    " FROM property_set_types WHERE company_id IS ?1 AND name = ?2"
                ))?
                .query_row(params![company, name], type_from_row)
                .optional()?)
        })
        .await
    }

    /// The type with id `id`.
    pub async fn property_set_type(&self, id: i64) -> Result<Option<PropertySetType>, Error> {
        self.call_single_statement(move |t| {
            Ok(t.conn
                .prepare_cached(concat!(
                    "SELECT ",
                    type_columns!(),
                    " FROM property_set_types WHERE id = ?1"
                ))?
                .query_row([id], type_from_row)
                .optional()?)
        })
        .await
    }

    /// The sets of a type attached to `primary` (and to `secondary`, when
    /// given), by id.
    pub async fn property_sets(
        &self,
        type_id: i64,
        primary: Owner,
        secondary: Option<Owner>,
    ) -> Result<Vec<PropertySet>, Error> {
        self.call_single_statement(move |t| {
            let ids: Vec<i64> = t
                .conn
                .prepare_cached(
                    "SELECT id FROM property_sets WHERE type_id = ?1 AND primary_owner = ?2
                     AND (secondary_owner = ?3 OR ?3 IS NULL) ORDER BY id",
                )?
                .query_map(params![type_id, primary.key(), secondary.map(Owner::key)], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut sets = Vec::with_capacity(ids.len());
            for id in ids {
                sets.extend(set(t.conn, id)?);
            }
            Ok(sets)
        })
        .await
    }

    /// The set with id `id`.
    pub async fn property_set(&self, id: i64) -> Result<Option<PropertySet>, Error> {
        self.call_single_statement(move |t| set(t.conn, id)).await
    }

    /// Creates a set; its id. When its type does not allow several sets per
    /// owner, the owners' set of the type is deleted first: the new one
    /// replaces it. A company owner must exist (`CompanyNotFound`).
    pub async fn create_property_set(&self, new: NewPropertySet) -> Result<i64, Error> {
        self.call(move |t| {
            for owner in std::iter::once(new.primary).chain(new.secondary) {
                if let Owner::Company(id) = owner {
                    if !company_exists(t.conn, id)? {
                        return Err(Error::CompanyNotFound);
                    }
                }
            }
            let (primary, secondary) = (new.primary.key(), new.secondary.map(Owner::key));
            let allow_multiple: bool = t
                .conn
                .prepare_cached("SELECT allow_multiple FROM property_set_types WHERE id = ?1")?
                .query_row([new.type_id], |r| r.get(0))?;
            if !allow_multiple {
                let replaced: Vec<i64> = t
                    .conn
                    .prepare_cached(
                        "SELECT id FROM property_sets WHERE type_id = ?1 AND primary_owner = ?2
                         AND secondary_owner IS ?3",
                    )?
                    .query_map(params![new.type_id, primary, secondary], |r| r.get(0))?
                    .collect::<Result<_, _>>()?;
                for id in replaced {
                    delete_set(t.conn, id)?;
                }
            }
            let id = counters::next_id(t.conn, SET_SEQUENCE, "property_sets")?;
            insert_set(t.conn, id, new.type_id, &primary, secondary.as_deref())?;
            insert_properties(t.conn, id, 0, &new.properties)?;
            counters::set(t.conn, SET_SEQUENCE, id + 1)?;
            Ok(id)
        })
        .await
    }

    /// Writes `properties` into set `id`: replacing all it had, or merging
    /// (a name it has takes the new value, a new name is added last).
    /// `false` when there is no such set.
    pub async fn update_property_set(
        &self,
        id: i64,
        properties: Vec<(String, String)>,
        replace: bool,
    ) -> Result<bool, Error> {
        self.call(move |t| {
            if set(t.conn, id)?.is_none() {
                return Ok(false);
            }
            if replace {
                t.conn
                    .prepare_cached("DELETE FROM property_set_properties WHERE set_id = ?1")?
                    .execute([id])?;
                insert_properties(t.conn, id, 0, &properties)?;
                return Ok(true);
            }
            for (name, value) in &properties {
                let changed = t
                    .conn
                    .prepare_cached("UPDATE property_set_properties SET value = ?3 WHERE set_id = ?1 AND name = ?2")?
                    .execute(params![id, name, value])?;
                if changed == 0 {
                    let end: i64 = t
                        .conn
                        .prepare_cached(
                            "SELECT ifnull(max(position) + 1, 0) FROM property_set_properties WHERE set_id = ?1",
                        )?
                        .query_row([id], |r| r.get(0))?;
                    insert_properties(t.conn, id, end, std::slice::from_ref(&(name.clone(), value.clone())))?;
                }
            }
            Ok(true)
        })
        .await
    }

    /// Deletes set `id` and its properties; `false` when there is none.
    pub async fn delete_property_set(&self, id: i64) -> Result<bool, Error> {
        self.call(move |t| delete_set(t.conn, id)).await
    }
}

/// The columns [`type_from_row`] reads.
macro_rules! type_columns {
    () => {
        "id, company_id, name, property_type, allow_multiple"
    };
}
use type_columns;

fn type_from_row(r: &Row<'_>) -> rusqlite::Result<PropertySetType> {
    Ok(PropertySetType {
        id: r.get(0)?,
        company_id: r.get(1)?,
        name: r.get(2)?,
        property_type: r.get(3)?,
        allow_multiple: r.get(4)?,
    })
}

fn set(conn: &Conn, id: i64) -> Result<Option<PropertySet>, Error> {
    let Some((type_id, primary, secondary)) = conn
        .prepare_cached("SELECT type_id, primary_owner, secondary_owner FROM property_sets WHERE id = ?1")?
        .query_row([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let corrupt = || Error::InvalidSeed(format!("property set {id} has an unreadable owner"));
    let primary = Owner::from_key(&primary).ok_or_else(corrupt)?;
    let secondary = match secondary {
        Some(key) => Some(Owner::from_key(&key).ok_or_else(corrupt)?),
        None => None,
    };
    let properties = conn
        .prepare_cached("SELECT name, value FROM property_set_properties WHERE set_id = ?1 ORDER BY position")?
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(Some(PropertySet {
        id,
        type_id,
        primary,
        secondary,
        properties,
    }))
}

fn insert_set(conn: &Conn, id: i64, type_id: i64, primary: &str, secondary: Option<&str>) -> Result<(), Error> {
    conn.prepare_cached(
        "INSERT INTO property_sets (id, type_id, primary_owner, secondary_owner) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, type_id, primary, secondary])?;
    Ok(())
}

fn insert_properties(conn: &Conn, set_id: i64, first: i64, properties: &[(String, String)]) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO property_set_properties (set_id, position, name, value) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (at, (name, value)) in (first..).zip(properties) {
        stmt.execute(params![set_id, at, name, value])?;
    }
    Ok(())
}

fn delete_set(conn: &Conn, id: i64) -> Result<bool, Error> {
    conn.prepare_cached("DELETE FROM property_set_properties WHERE set_id = ?1")?
        .execute([id])?;
    Ok(conn
        .prepare_cached("DELETE FROM property_sets WHERE id = ?1")?
        .execute([id])?
        > 0)
}

/// Loads the seed's types and sets (its companies and users already in).
pub(super) fn apply_seed(conn: &Conn, seed: &PropertySetSeed) -> Result<(), Error> {
    for ty in &seed.types {
        conn.prepare_cached(
            "INSERT INTO property_set_types (id, company_id, name, property_type, allow_multiple)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            ty.id,
            ty.company_id,
            ty.name,
            ty.property_type,
            ty.allow_multiple
        ])
        .map_err(|e| super::queries::seed_conflict(e, &format!("property set type {}", ty.name)))?;
    }
    for s in &seed.sets {
        let what = format!("property set ps|{}", s.id);
        insert_set(
            conn,
            s.id,
            s.type_id,
            &s.primary.key(),
            s.secondary.map(Owner::key).as_deref(),
        )
        .map_err(|e| seed_error(e, &what))?;
        insert_properties(conn, s.id, 0, &s.properties).map_err(|e| seed_error(e, &what))?;
    }
    let next_type = seed.types.iter().map(|t| t.id + 1).max().unwrap_or(1);
    let next_set = seed.sets.iter().map(|s| s.id + 1).max().unwrap_or(1);
    counters::set(conn, TYPE_SEQUENCE, next_type)?;
    counters::set(conn, SET_SEQUENCE, next_set)
}

fn seed_error(e: Error, what: &str) -> Error {
    match e {
        Error::Sqlite(e) => super::queries::seed_conflict(e, what),
        other => other,
    }
}

/// Empties the property set tables, children first.
pub(super) fn clear(conn: &Conn) -> Result<(), Error> {
    conn.execute_batch(
        "DELETE FROM property_set_properties; DELETE FROM property_sets; DELETE FROM property_set_types;",
    )?;
    Ok(())
}

#[cfg(test)]
#[path = "property_sets_tests.rs"]
mod tests;
