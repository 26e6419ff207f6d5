//! Asset lookups and changes behind `getAssets`, `getAssetsByName`,
//! `searchAssets`, `renameAsset`, `moveAsset(s)`, `setUrlModifier` and
//! `replaceImage` (the trash is `trash.rs`'s).
//!
//! Every change runs as one catalog job, so two calls on the same asset are
//! applied one after the other and neither is lost; a job that fails
//! part-way is rolled back by its savepoint.

use super::db::{params_from_iter, Conn, Row};
use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension};

use super::queries::{asset_from_row, clash_as, company_exists, folder_id, timestamp};
use super::{Asset, AssetDetail, Catalog, Error, NewContent, SetInfo};
use crate::handles::AssetHandle;

/// `asset_from_row`'s columns, then the details. The users are joined
/// twice: creator and last modifier.
macro_rules! detail_select {
    () => {
        concat!(
            "SELECT ",
            asset_columns!(),
            ", a.created_at, COALESCE(cu.email, ''), a.modified_at, COALESCE(mu.email, cu.email, ''), c.name,
               a.ready_for_publish, s.asset_id IS NOT NULL, s.sub_type, s.definition
             FROM assets a JOIN folders f ON f.id = a.folder_id JOIN companies c ON c.id = a.company_id
             LEFT JOIN asset_sets s ON s.asset_id = a.id
             LEFT JOIN users cu ON cu.id = a.created_by
             LEFT JOIN users mu ON mu.id = a.modified_by "
        )
    };
}

pub(super) fn detail_from_row(r: &Row<'_>) -> rusqlite::Result<AssetDetail> {
    Ok(AssetDetail {
        asset: asset_from_row(r)?,
        created: r.get(15)?,
        create_user: r.get(16)?,
        modified: r.get(17)?,
        modify_user: r.get(18)?,
        company: r.get(19)?,
        ready_for_publish: r.get(20)?,
        metadata: Vec::new(),
        set: if r.get(21)? {
            Some(SetInfo {
                sub_type: r.get(22)?,
                definition: r.get(23)?,
            })
        } else {
            None
        },
        image: super::ImageExtras::default(),
    })
}

pub(super) fn require_company(conn: &Conn, company_id: i64) -> Result<(), Error> {
    if company_exists(conn, company_id)? {
        Ok(())
    } else {
        Err(Error::CompanyNotFound)
    }
}

/// The asset a handle names in the company, or `AssetNotFound` (also when a
/// long handle disagrees with the row in any part).
pub(super) fn find(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<Asset, Error> {
    super::queries::asset(conn, company_id, handle)
}

pub(super) fn details_where(conn: &Conn, clause: &str, params: Vec<Value>) -> Result<Vec<AssetDetail>, Error> {
    let sql = format!("{}{clause}", detail_select!());
    // Not cached: each search shape is its own statement, and caching them
    // would push out the prepared statements copies rely on.
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(params), detail_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Marks a row changed by `actor` now.
pub(super) fn touch(conn: &Conn, id: i64, actor: i64) -> Result<(), Error> {
    conn.prepare_cached("UPDATE assets SET modified_at = ?2, modified_by = ?3 WHERE id = ?1")?
        .execute(params![id, timestamp(std::time::SystemTime::now()), actor])?;
    Ok(())
}

fn move_one(conn: &Conn, company_id: i64, handle: AssetHandle, folder: &str, actor: i64) -> Result<(), Error> {
    let asset = find(conn, company_id, handle)?;
    let folder_id = folder_id(conn, company_id, folder)?.ok_or(Error::FolderNotFound)?;
    conn.prepare_cached("UPDATE assets SET folder_id = ?2 WHERE id = ?1")?
        .execute(params![asset.id, folder_id])?;
    touch(conn, asset.id, actor)
}

/// Runs `f` on every item inside its own savepoint, so a failed item leaves
/// nothing behind while the others stay.
pub(super) fn each_item<I, T, F>(conn: &Conn, items: Vec<I>, mut f: F) -> Result<Vec<Result<T, Error>>, Error>
where
    F: FnMut(&Conn, I) -> Result<T, Error>,
{
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        conn.prepare_cached("SAVEPOINT item")?.execute(())?;
        let result = f(conn, item);
        if result.is_err() {
            conn.prepare_cached("ROLLBACK TO item")?.execute(())?;
        }
        conn.prepare_cached("RELEASE item")?.execute(())?;
        // An SQLite failure is the catalog's, not the item's: fail the call.
        match result {
            Err(Error::Sqlite(e)) => return Err(Error::Sqlite(e)),
            other => out.push(other),
        }
    }
    Ok(out)
}

impl Catalog {
    /// The company's root folder path.
    pub async fn company_root(&self, company_id: i64) -> Result<String, Error> {
        self.call_single_statement(move |t| {
            t.conn
                .prepare_cached("SELECT root_path FROM companies WHERE id = ?1")?
                .query_row([company_id], |r| r.get(0))
                .optional()?
                .ok_or(Error::CompanyNotFound)
        })
        .await
    }

    /// The assets the handles name in the company, in the order asked,
    /// each once; handles that name nothing there are left out.
    pub async fn asset_details(&self, company_id: i64, handles: Vec<AssetHandle>) -> Result<Vec<AssetDetail>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let mut out: Vec<AssetDetail> = Vec::with_capacity(handles.len());
            let mut seen = std::collections::HashSet::new();
            for handle in handles {
                let found = t
                    .conn
                    .prepare_cached(concat!(detail_select!(), "WHERE a.id = ?1 AND a.company_id = ?2"))?
                    .query_row(params![handle.id, company_id], detail_from_row)
                    .optional()?;
                let Some(d) = found else { continue };
                let agrees = handle
                    .typed
                    .is_none_or(|typed| typed == (d.asset.type_code, d.asset.type_record_id));
                if agrees && seen.insert(d.asset.id) {
                    out.push(d);
                }
            }
            super::metadata::attach(t.conn, &mut out)?;
            super::image_fields::attach(t.conn, &mut out)?;
            Ok(out)
        })
        .await
    }

    /// The company's assets with any of the names (ASCII case-insensitive,
    /// as names are unique), in the order asked.
    pub async fn asset_details_by_name(&self, company_id: i64, names: Vec<String>) -> Result<Vec<AssetDetail>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let mut out: Vec<AssetDetail> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for name in names {
                let found = t
                    .conn
                    .prepare_cached(concat!(
                        detail_select!(),
                        "WHERE a.company_id = ?1 AND a.name = ?2 COLLATE NOCASE"
                    ))?
                    .query_row(params![company_id, name], detail_from_row)
                    .optional()?;
                if let Some(d) = found.filter(|d| seen.insert(d.asset.id)) {
                    out.push(d);
                }
            }
            super::metadata::attach(t.conn, &mut out)?;
            super::image_fields::attach(t.conn, &mut out)?;
            Ok(out)
        })
        .await
    }

    /// How many assets the company has of each type, by type name; assets
    /// in the trash are not counted.
    pub async fn asset_counts(&self, company_id: i64) -> Result<Vec<(String, i64)>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            let counts = t
                .conn
                .prepare_cached(
                    "SELECT asset_type, count(*) FROM assets WHERE company_id = ?1 AND trashed_at IS NULL
                     GROUP BY asset_type ORDER BY asset_type",
                )?
                .query_map([company_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(counts)
        })
        .await
    }

    /// Renames an asset; the name must be free in the company.
    pub async fn rename_asset(
        &self,
        company_id: i64,
        handle: AssetHandle,
        new_name: String,
        actor: i64,
    ) -> Result<(), Error> {
        self.call(move |t| {
            let asset = find(t.conn, company_id, handle)?;
            t.conn
                .prepare_cached("UPDATE assets SET name = ?2 WHERE id = ?1")?
                .execute(params![asset.id, new_name])
                .map_err(clash_as(Error::NameInUse))?;
            touch(t.conn, asset.id, actor)
        })
        .await
    }

    /// Moves an asset to another folder of its company.
    pub async fn move_asset(
        &self,
        company_id: i64,
        handle: AssetHandle,
        folder: String,
        actor: i64,
    ) -> Result<(), Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            move_one(t.conn, company_id, handle, &folder, actor)
        })
        .await
    }

    /// Moves several assets, each on its own: one that fails is reported and
    /// the others still move.
    pub async fn move_assets(
        &self,
        company_id: i64,
        moves: Vec<(AssetHandle, String)>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            each_item(t.conn, moves, |conn, (handle, folder)| {
                move_one(conn, company_id, handle, &folder, actor)
            })
        })
        .await
    }

    /// Sets the stored modifier and post-modifier; `None` leaves one as it is.
    pub async fn set_url_modifier(
        &self,
        company_id: i64,
        handle: AssetHandle,
        modifier: Option<String>,
        post_modifier: Option<String>,
        actor: i64,
    ) -> Result<(), Error> {
        self.call(move |t| {
            let asset = find(t.conn, company_id, handle)?;
            t.conn
                .prepare_cached(
                    "UPDATE assets SET url_modifier = COALESCE(?2, url_modifier),
                                       url_post_modifier = COALESCE(?3, url_post_modifier) WHERE id = ?1",
                )?
                .execute(params![asset.id, modifier, post_modifier])?;
            touch(t.conn, asset.id, actor)
        })
        .await
    }

    /// Points an image asset at new bytes (already stored), keeping its
    /// handle, name, folder and stored modifiers, provided it still names
    /// `rendered_from` (the bytes the new ones were made from; otherwise
    /// `ContentChanged`, so a concurrent replacement is never lost). Returns
    /// the blob key it named before, for the caller to release.
    /// `blob_present` is asked inside the transaction whether the new bytes
    /// are still stored.
    pub async fn replace_content<P>(
        &self,
        company_id: i64,
        handle: AssetHandle,
        rendered_from: String,
        content: NewContent,
        actor: i64,
        blob_present: P,
    ) -> Result<String, Error>
    where
        P: FnOnce(&str) -> bool + Send + 'static,
    {
        self.call(move |t| {
            let asset = find(t.conn, company_id, handle)?;
            if asset.asset_type != "Image" {
                return Err(Error::NotAnImage(asset.asset_type));
            }
            if asset.content_hash != rendered_from {
                return Err(Error::ContentChanged);
            }
            if !blob_present(&content.content_hash) {
                return Err(Error::BlobMissing);
            }
            t.conn
                .prepare_cached(
                    "UPDATE assets SET width = ?2, height = ?3, format = ?4, byte_size = ?5, content_hash = ?6
                     WHERE id = ?1",
                )?
                .execute(params![
                    asset.id,
                    content.width,
                    content.height,
                    content.format,
                    content.byte_size as i64,
                    content.content_hash
                ])?;
            touch(t.conn, asset.id, actor)?;
            Ok(asset.content_hash)
        })
        .await
    }
}
