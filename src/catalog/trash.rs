//! The trash behind `deleteAsset(s)`, `restoreAssetsFromTrash` and
//! `emptyAssetsFromTrash`.
//!
//! A deleted asset stays a row, marked with when it went to the trash
//! (`trashed_at`): it keeps its handle, folder and name (so the name stays
//! taken in its company) and its stored bytes stay named, so restoring it
//! gives back exactly what was deleted. Only emptying it from the trash
//! removes the row; its bytes are then the caller's to release once no row
//! names them. Each item of a batch runs in its own savepoint, so one that
//! fails leaves the others done.

use super::db::Conn;
use rusqlite::params;

use super::assets::{each_item, find, require_company, touch};
use super::queries::{asset_in_any_state, timestamp};
use super::{Asset, Catalog, Error};
use crate::handles::AssetHandle;

/// Puts a live asset in the trash; one already there is `AssetInTrash`.
/// Going to the trash is a change to the asset (`lastModified`).
fn trash_one(conn: &Conn, company_id: i64, handle: AssetHandle, actor: i64) -> Result<(), Error> {
    let asset = find(conn, company_id, handle)?;
    conn.prepare_cached("UPDATE assets SET trashed_at = ?2 WHERE id = ?1")?
        .execute(params![asset.id, timestamp(std::time::SystemTime::now())])?;
    touch(conn, asset.id, actor)
}

/// The asset a handle names, which must be in the trash.
fn trashed(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<Asset, Error> {
    let asset = asset_in_any_state(conn, company_id, handle)?;
    if asset.in_trash {
        Ok(asset)
    } else {
        Err(Error::AssetNotInTrash)
    }
}

/// Brings an asset back from the trash into its folder, under its name
/// (which no other asset can have taken meanwhile). A change to the asset,
/// so an incremental publish takes it up again.
fn restore_one(conn: &Conn, company_id: i64, handle: AssetHandle, actor: i64) -> Result<(), Error> {
    let asset = trashed(conn, company_id, handle)?;
    conn.prepare_cached("UPDATE assets SET trashed_at = NULL WHERE id = ?1")?
        .execute([asset.id])?;
    touch(conn, asset.id, actor)
}

/// Removes an asset in the trash for good; returns its blob key.
fn empty_one(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<String, Error> {
    let asset = trashed(conn, company_id, handle)?;
    conn.prepare_cached("DELETE FROM assets WHERE id = ?1")?
        .execute([asset.id])?;
    Ok(asset.content_hash)
}

impl Catalog {
    /// Puts an asset in the trash (`deleteAsset`).
    pub async fn delete_asset(&self, company_id: i64, handle: AssetHandle, actor: i64) -> Result<(), Error> {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            trash_one(t.conn, company_id, handle, actor)
        })
        .await
    }

    /// Puts several assets in the trash, each on its own; returns why each
    /// one that was not went wrong, in order.
    pub async fn delete_assets(
        &self,
        company_id: i64,
        handles: Vec<AssetHandle>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.each(company_id, handles, move |conn, handle| {
            trash_one(conn, company_id, handle, actor)
        })
        .await
    }

    /// Brings several assets back from the trash, each on its own.
    pub async fn restore_assets(
        &self,
        company_id: i64,
        handles: Vec<AssetHandle>,
        actor: i64,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.each(company_id, handles, move |conn, handle| {
            restore_one(conn, company_id, handle, actor)
        })
        .await
    }

    /// Removes several assets in the trash for good, each on its own;
    /// returns each one's blob key, for the caller to release once the
    /// removal has committed, or why it was not removed.
    pub async fn empty_trash(
        &self,
        company_id: i64,
        handles: Vec<AssetHandle>,
    ) -> Result<Vec<Result<String, Error>>, Error> {
        self.each(company_id, handles, move |conn, handle| {
            empty_one(conn, company_id, handle)
        })
        .await
    }

    /// `f` on each asset of an existing company, in one job, each in its
    /// own savepoint.
    async fn each<T, F>(&self, company_id: i64, handles: Vec<AssetHandle>, f: F) -> Result<Vec<Result<T, Error>>, Error>
    where
        T: Send + 'static,
        F: FnMut(&Conn, AssetHandle) -> Result<T, Error> + Send + 'static,
    {
        self.call(move |t| {
            require_company(t.conn, company_id)?;
            each_item(t.conn, handles, f)
        })
        .await
    }

    /// The asset a handle names in the company, in the trash or not (a
    /// lookup that does not change it, such as its job log).
    pub async fn asset_in_any_state(&self, company_id: i64, handle: AssetHandle) -> Result<Asset, Error> {
        self.call_single_statement(move |t| asset_in_any_state(t.conn, company_id, handle))
            .await
    }
}

#[cfg(test)]
#[path = "trash_tests.rs"]
mod tests;
