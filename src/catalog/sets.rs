//! Sets and derived assets: image sets (`ImageSet`, `SpinSet`) and their
//! members, asset sets (`AssetSet`) and the assets their definitions name,
//! derived views of an image (`AdjustedView`, `LayerView`), and what
//! `getAssociatedAssets` reads of them.
//!
//! A set is an asset row with no bytes (`content_hash` empty), its own
//! fields in `asset_sets` and its members, in order, in `set_members`; a
//! derived asset is a row sharing its owner's bytes, with its own
//! modifiers, linked to its owner in `derived_assets`. Every change is one
//! catalog job in its savepoint, and names only live assets of the
//! company; the foreign keys and the schema's trigger take membership rows,
//! and derived assets, away with an asset removed for good.

use super::db::Conn;
use rusqlite::params;

use super::assets::{details_where, find, require_company, touch};
use super::queries::{asset_in_any_state, clash_as, folder_id, timestamp};
use super::{Asset, AssetDetail, Catalog, Error, Tx};
use crate::handles::AssetHandle;

/// Why an asset a request names beside its subject cannot be named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelatedProblem {
    /// No such asset in the company.
    NotFound,
    /// It is in the trash.
    InTrash,
    /// Its type cannot play that role (the type found).
    WrongType(String),
    /// It is the set itself.
    Itself,
}

/// An asset a set, thumbnail or derived asset would name, and why it
/// cannot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Its role: `member`, `thumbnail`.
    pub role: &'static str,
    /// The handle as the request gave it.
    pub handle: AssetHandle,
    /// What is wrong.
    pub problem: RelatedProblem,
}

/// A new set.
#[derive(Clone, Debug)]
pub struct NewSet {
    /// Its company.
    pub company_id: i64,
    /// Its folder's path.
    pub folder: String,
    /// Its name (unique in the company).
    pub name: String,
    /// `ImageSet`, `SpinSet` or `AssetSet`.
    pub asset_type: String,
    /// The handle's type code for that type.
    pub type_code: i64,
    /// What it holds.
    pub change: SetChange,
    /// Who makes it.
    pub actor: i64,
}

/// What a set holds; `None` leaves a part as it is (a new set starts with
/// none of it).
#[derive(Clone, Debug, Default)]
pub struct SetChange {
    /// The members, in order.
    pub members: Option<Vec<AssetHandle>>,
    /// An AssetSet's subType.
    pub sub_type: Option<String>,
    /// An AssetSet's definition text.
    pub definition: Option<String>,
    /// The thumbnail asset.
    pub thumb: Option<AssetHandle>,
    /// Which member types are allowed (empty: any).
    pub member_types: &'static [&'static str],
}

/// A new derived asset.
#[derive(Clone, Debug)]
pub struct NewDerived {
    /// Its company.
    pub company_id: i64,
    /// The Image it is derived from.
    pub owner: AssetHandle,
    /// Its folder's path.
    pub folder: String,
    /// Its name (unique in the company).
    pub name: String,
    /// `AdjustedView` or `LayerView`.
    pub asset_type: String,
    /// The handle's type code for that type.
    pub type_code: i64,
    /// Its stored modifiers.
    pub url_modifier: String,
    /// Its stored post-modifiers.
    pub url_post_modifier: String,
    /// Who makes it.
    pub actor: i64,
}

/// An asset and the assets associated with it.
#[derive(Clone, Debug)]
pub struct Associated {
    /// The sets holding it.
    pub containers: Vec<AssetDetail>,
    /// Its members, when it is a set.
    pub members: Vec<AssetDetail>,
    /// The Image it is derived from, when it is derived.
    pub owners: Vec<AssetDetail>,
    /// The assets derived from it.
    pub derived: Vec<AssetDetail>,
    /// The set's chosen thumbnail.
    pub thumb: Option<AssetDetail>,
}

/// The live asset `handle` names as a `role`, of one of `types` (empty:
/// any type).
fn related(
    conn: &Conn,
    company_id: i64,
    handle: AssetHandle,
    role: &'static str,
    types: &[&str],
) -> Result<Asset, Error> {
    let refuse = |problem| Error::Related(Related { role, handle, problem });
    let asset = match asset_in_any_state(conn, company_id, handle) {
        Err(Error::AssetNotFound) => return Err(refuse(RelatedProblem::NotFound)),
        other => other?,
    };
    if asset.in_trash {
        return Err(refuse(RelatedProblem::InTrash));
    }
    if !types.is_empty() && !types.contains(&asset.asset_type.as_str()) {
        return Err(refuse(RelatedProblem::WrongType(asset.asset_type)));
    }
    Ok(asset)
}

/// The live asset `handle` names, which must be of one of `types`.
fn of_type(
    conn: &Conn,
    company_id: i64,
    handle: AssetHandle,
    types: &[&str],
    wanted: &'static str,
) -> Result<Asset, Error> {
    let asset = find(conn, company_id, handle)?;
    if types.contains(&asset.asset_type.as_str()) {
        Ok(asset)
    } else {
        Err(Error::WrongType {
            found: asset.asset_type,
            wanted,
        })
    }
}

/// Writes what `change` sets on set `set_id`.
fn apply(conn: &Conn, company_id: i64, set_id: i64, change: &SetChange) -> Result<(), Error> {
    if let Some(members) = &change.members {
        let mut ids = Vec::with_capacity(members.len());
        for &handle in members {
            let id = related(conn, company_id, handle, "member", change.member_types)?.id;
            if id == set_id {
                return Err(Error::Related(Related {
                    role: "member",
                    handle,
                    problem: RelatedProblem::Itself,
                }));
            }
            ids.push(id);
        }
        conn.prepare_cached("DELETE FROM set_members WHERE set_id = ?1")?
            .execute([set_id])?;
        let mut insert =
            conn.prepare_cached("INSERT INTO set_members (set_id, position, member_id) VALUES (?1, ?2, ?3)")?;
        for (position, id) in ids.into_iter().enumerate() {
            insert.execute(params![set_id, position as i64, id])?;
        }
    }
    if let Some(thumb) = change.thumb {
        let id = related(conn, company_id, thumb, "thumbnail", THUMB_TYPES)?.id;
        conn.prepare_cached("UPDATE asset_sets SET thumb_id = ?2 WHERE asset_id = ?1")?
            .execute(params![set_id, id])?;
    }
    if let Some(sub_type) = &change.sub_type {
        conn.prepare_cached("UPDATE asset_sets SET sub_type = ?2 WHERE asset_id = ?1")?
            .execute(params![set_id, sub_type])?;
    }
    if let Some(definition) = &change.definition {
        conn.prepare_cached("UPDATE asset_sets SET definition = ?2 WHERE asset_id = ?1")?
            .execute(params![set_id, definition])?;
    }
    Ok(())
}

/// The types a thumbnail may be: assets with an image of their own.
pub const THUMB_TYPES: &[&str] = &["Image", "AdjustedView", "LayerView"];

fn create_set(tx: &mut Tx<'_>, req: &NewSet) -> Result<Asset, Error> {
    let conn = tx.conn;
    require_company(conn, req.company_id)?;
    let folder_id = folder_id(conn, req.company_id, &req.folder)?.ok_or(Error::FolderNotFound)?;
    let (id, _) = tx.next_image_ids()?;
    let now = timestamp(std::time::SystemTime::now());
    conn.prepare_cached(
        "INSERT INTO assets (id, type_code, type_record_id, asset_type, company_id, folder_id, name,
                             byte_size, content_hash, created_by, created_at, modified_at, ready_for_publish)
         VALUES (?1, ?2, ?1, ?3, ?4, ?5, ?6, 0, '', ?7, ?8, ?8, 1)",
    )?
    .execute(params![
        id,
        req.type_code,
        req.asset_type,
        req.company_id,
        folder_id,
        req.name,
        req.actor,
        now
    ])
    .map_err(clash_as(Error::NameInUse))?;
    let definition = (req.asset_type == "AssetSet").then(String::new);
    conn.prepare_cached("INSERT INTO asset_sets (asset_id, definition) VALUES (?1, ?2)")?
        .execute(params![id, definition])?;
    apply(conn, req.company_id, id, &req.change)?;
    tx.take_asset_id();
    find(conn, req.company_id, AssetHandle::long(id, req.type_code, id))
}

fn create_derived(tx: &mut Tx<'_>, req: &NewDerived) -> Result<Asset, Error> {
    let conn = tx.conn;
    require_company(conn, req.company_id)?;
    let owner = find(conn, req.company_id, req.owner)?;
    if owner.asset_type != "Image" {
        return Err(Error::NotAnImage(owner.asset_type));
    }
    let folder_id = folder_id(conn, req.company_id, &req.folder)?.ok_or(Error::FolderNotFound)?;
    let (id, _) = tx.next_image_ids()?;
    let now = timestamp(std::time::SystemTime::now());
    conn.prepare_cached(
        "INSERT INTO assets (id, type_code, type_record_id, asset_type, company_id, folder_id, name,
                             width, height, format, byte_size, content_hash, url_modifier, url_post_modifier,
                             created_by, created_at, modified_at, ready_for_publish)
         SELECT ?1, ?2, ?1, ?3, company_id, ?4, ?5, width, height, format, byte_size, content_hash, ?6, ?7,
                ?8, ?9, ?9, ready_for_publish
         FROM assets WHERE id = ?10",
    )?
    .execute(params![
        id,
        req.type_code,
        req.asset_type,
        folder_id,
        req.name,
        req.url_modifier,
        req.url_post_modifier,
        req.actor,
        now,
        owner.id
    ])
    .map_err(clash_as(Error::NameInUse))?;
    conn.prepare_cached("INSERT INTO derived_assets (asset_id, owner_id) VALUES (?1, ?2)")?
        .execute(params![id, owner.id])?;
    tx.take_asset_id();
    find(conn, req.company_id, AssetHandle::long(id, req.type_code, id))
}

/// The details of the assets a query joined to `a` selects, in its order.
fn listed(conn: &Conn, clause: &str, id: i64) -> Result<Vec<AssetDetail>, Error> {
    details_where(conn, clause, vec![id.into()])
}

fn associated(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<Associated, Error> {
    require_company(conn, company_id)?;
    let asset = asset_in_any_state(conn, company_id, handle)?;
    let id = asset.id;
    let thumb_clause = "JOIN asset_sets t ON t.thumb_id = a.id WHERE t.asset_id = ?1";
    Ok(Associated {
        containers: listed(
            conn,
            "WHERE a.id IN (SELECT set_id FROM set_members WHERE member_id = ?1) ORDER BY a.id",
            id,
        )?,
        members: listed(
            conn,
            "JOIN set_members m ON m.member_id = a.id WHERE m.set_id = ?1 ORDER BY m.position",
            id,
        )?,
        owners: listed(
            conn,
            "JOIN derived_assets d ON d.owner_id = a.id WHERE d.asset_id = ?1",
            id,
        )?,
        derived: listed(
            conn,
            "JOIN derived_assets d ON d.asset_id = a.id WHERE d.owner_id = ?1 ORDER BY a.id",
            id,
        )?,
        thumb: listed(conn, thumb_clause, id)?.into_iter().next(),
    })
}

impl Catalog {
    /// Makes a set with what `req.change` gives it: one job, so a refused
    /// member leaves no set and takes no handle.
    pub async fn create_set(&self, req: NewSet) -> Result<Asset, Error> {
        self.call(move |t| create_set(t, &req)).await
    }

    /// Changes the live set `handle` names, which must be of one of
    /// `types` (`wanted` names them for the refusal).
    pub async fn update_set(
        &self,
        company_id: i64,
        handle: AssetHandle,
        types: &'static [&'static str],
        wanted: &'static str,
        change: SetChange,
        actor: i64,
    ) -> Result<(), Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let set = of_type(t.conn, company_id, handle, types, wanted)?;
            apply(t.conn, company_id, set.id, &change)?;
            touch(t.conn, set.id, actor)
        })
        .await
    }

    /// The members of the set `handle` names (of one of `types`), in order.
    pub async fn set_members(
        &self,
        company_id: i64,
        handle: AssetHandle,
        types: &'static [&'static str],
        wanted: &'static str,
    ) -> Result<Vec<AssetDetail>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let set = asset_in_any_state(t.conn, company_id, handle)?;
            if !types.contains(&set.asset_type.as_str()) {
                return Err(Error::WrongType {
                    found: set.asset_type,
                    wanted,
                });
            }
            listed(
                t.conn,
                "JOIN set_members m ON m.member_id = a.id WHERE m.set_id = ?1 ORDER BY m.position",
                set.id,
            )
        })
        .await
    }

    /// Makes an asset derived from an Image: its bytes, its own modifiers.
    pub async fn create_derived(&self, req: NewDerived) -> Result<Asset, Error> {
        self.call(move |t| create_derived(t, &req)).await
    }

    /// The assets associated with the asset `handle` names (in the trash or
    /// not).
    pub async fn associated(&self, company_id: i64, handle: AssetHandle) -> Result<Associated, Error> {
        self.call(move |t| associated(t.conn, company_id, handle)).await
    }
}

#[cfg(test)]
#[path = "sets_tests.rs"]
mod tests;
