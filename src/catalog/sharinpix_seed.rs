//! SharinPix's part of a seed: organizations with their secrets, albums and
//! the images in them (each a seeded asset already in the album's folder),
//! loaded after the companies, folders and assets; and clearing it all for
//! a reset.

use super::db::Conn;
use rusqlite::params;

use super::{kameleoon, queries, Error};

/// SharinPix's part of a seed.
#[derive(Clone, Debug, Default)]
pub struct SharinPixSeed {
    /// Organizations.
    pub orgs: Vec<SeedSharinPixOrg>,
    /// Albums, with their images.
    pub albums: Vec<SeedSharinPixAlbum>,
}

/// A seeded organization.
#[derive(Clone, Debug)]
pub struct SeedSharinPixOrg {
    /// Organization id.
    pub id: String,
    /// The company its images are assets of.
    pub company_id: i64,
    /// The folder its album folders are in (must exist; ends in `/`).
    pub folder: String,
    /// `(secret id, secret)` pairs.
    pub secrets: Vec<(String, String)>,
}

/// A seeded album.
#[derive(Clone, Debug)]
pub struct SeedSharinPixAlbum {
    /// Organization id.
    pub org: String,
    /// Album id.
    pub id: String,
    /// Its images.
    pub images: Vec<SeedSharinPixImage>,
}

/// A seeded image.
#[derive(Clone, Debug)]
pub struct SeedSharinPixImage {
    /// Image id.
    pub id: String,
    /// The asset it is (asset id), in the album's folder.
    pub asset_id: i64,
    /// `filename`.
    pub filename: String,
    /// `infos` (JSON object).
    pub infos: String,
}

/// Removes every SharinPix row (a reset, before the assets go).
pub(super) fn clear(conn: &Conn) -> Result<(), Error> {
    conn.execute_batch(
        "DELETE FROM sharinpix_imports; DELETE FROM sharinpix_uploads; DELETE FROM sharinpix_images;
         DELETE FROM sharinpix_albums; DELETE FROM sharinpix_secrets; DELETE FROM sharinpix_orgs;",
    )?;
    Ok(())
}

/// Loads a seed's SharinPix rows, after its companies, folders and assets.
pub(super) fn apply_seed(conn: &Conn, seed: &SharinPixSeed) -> Result<(), Error> {
    let at = queries::timestamp(std::time::SystemTime::now());
    for o in &seed.orgs {
        if queries::folder_id(conn, o.company_id, &o.folder)?.is_none() {
            return Err(Error::InvalidSeed(format!(
                "SharinPix organization {}: company c|{} has no folder {}",
                o.id, o.company_id, o.folder
            )));
        }
        conn.execute(
            "INSERT INTO sharinpix_orgs (id, company_id, folder) VALUES (?1, ?2, ?3)",
            params![o.id, o.company_id, o.folder],
        )
        .map_err(|e| kameleoon::seed_error(e, &format!("SharinPix organization {}", o.id)))?;
        for (id, secret) in &o.secrets {
            conn.execute(
                "INSERT INTO sharinpix_secrets (id, org, secret) VALUES (?1, ?2, ?3)",
                params![id, o.id, secret],
            )
            .map_err(|e| kameleoon::seed_error(e, &format!("SharinPix secret {id}")))?;
        }
    }
    for album in &seed.albums {
        apply_album(conn, album, &at)?;
    }
    Ok(())
}

fn apply_album(conn: &Conn, album: &SeedSharinPixAlbum, at: &str) -> Result<(), Error> {
    let (company_id, root) = super::sharinpix::org_folder(conn, &album.org)?
        .ok_or_else(|| Error::InvalidSeed(format!("SharinPix album {}: no organization {}", album.id, album.org)))?;
    let path = format!("{root}{}/", album.id);
    let folder_id = queries::folder_id(conn, company_id, &path)?.ok_or_else(|| {
        Error::InvalidSeed(format!(
            "SharinPix album {}: company c|{company_id} has no folder {path}",
            album.id
        ))
    })?;
    conn.execute(
        "INSERT INTO sharinpix_albums (org, id, created_at) VALUES (?1, ?2, ?3)",
        params![album.org, album.id, at],
    )
    .map_err(|e| kameleoon::seed_error(e, &format!("SharinPix album {}", album.id)))?;
    for i in &album.images {
        let inserted = conn
            .execute(
                "INSERT INTO sharinpix_images (id, org, album, asset_id, filename, infos, created_at, updated_at)
                 SELECT ?1, ?2, ?3, a.id, ?4, ?5, ?6, ?6 FROM assets a WHERE a.id = ?7 AND a.folder_id = ?8",
                params![i.id, album.org, album.id, i.filename, i.infos, at, i.asset_id, folder_id],
            )
            .map_err(|e| kameleoon::seed_error(e, &format!("SharinPix image {}", i.id)))?;
        if inserted != 1 {
            return Err(Error::InvalidSeed(format!(
                "SharinPix image {}: asset {} is not a seeded asset in {path}",
                i.id, i.asset_id
            )));
        }
    }
    Ok(())
}
