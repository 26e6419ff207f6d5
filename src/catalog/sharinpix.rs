//! The rows of SharinPix's API facade (`sharinpix.sql`): organizations and
//! their secrets, albums (each an IPS folder of the organization's company)
//! and images (each an IPS asset in its album's folder). Image ids are
//! UUIDs drawn from a counter in `sequences`, so a reset gives the same ids
//! to the same requests. Writes that make images live in
//! `sharinpix_write.rs`; seeding and clearing in `sharinpix_seed.rs`.

use super::db::{Conn, Row};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use super::queries;
use super::{Asset, Catalog, Error};

/// The `sequences` row of the next new id.
const SEQUENCE: &str = "sharinpix_id";

/// An organization's API secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharinPixSecret {
    /// The secret id (a token's `iss`).
    pub id: String,
    /// The organization it belongs to.
    pub org: String,
    /// The secret, the tokens' HMAC key.
    pub secret: String,
}

/// An album with how many live images it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharinPixAlbum {
    /// Organization id.
    pub org: String,
    /// Album id.
    pub id: String,
    /// When it was made, as the catalog writes times.
    pub created_at: String,
    /// Its images not in the trash.
    pub images_count: u64,
}

/// An image with the asset it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharinPixImage {
    /// Image id (a UUID).
    pub id: String,
    /// Organization id.
    pub org: String,
    /// Album id.
    pub album: String,
    /// The image it was duplicated from.
    pub group_id: Option<String>,
    /// `filename`.
    pub filename: String,
    /// `infos`, a JSON object as stored.
    pub infos: String,
    /// `metadatas`, a JSON object as stored.
    pub metadatas: String,
    /// Times as the catalog writes them.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
    /// The asset.
    pub asset: Asset,
    /// The asset's company's name (its Image Serving URL's first segment).
    pub company: String,
}

impl Catalog {
    /// The secret with this id.
    pub async fn sharinpix_secret(&self, id: String) -> Result<Option<SharinPixSecret>, Error> {
        self.call(move |t| secret(t.conn, &id)).await
    }

    /// Every secret, for a token that does not name its issuer.
    pub async fn sharinpix_secrets(&self) -> Result<Vec<SharinPixSecret>, Error> {
        self.call(|t| {
            let mut stmt = t
                .conn
                .prepare_cached("SELECT id, org, secret FROM sharinpix_secrets ORDER BY id")?;
            let rows = stmt.query_map((), secret_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    /// The organization's first secret (by id), which signs its upload forms.
    pub async fn sharinpix_org_secret(&self, org: String) -> Result<Option<String>, Error> {
        self.call(move |t| {
            Ok(t.conn
                .prepare_cached("SELECT secret FROM sharinpix_secrets WHERE org = ?1 ORDER BY id LIMIT 1")?
                .query_row([org], |r| r.get(0))
                .optional()?)
        })
        .await
    }

    /// The album, if the organization has it.
    pub async fn sharinpix_album(&self, org: String, id: String) -> Result<Option<SharinPixAlbum>, Error> {
        self.call(move |t| album(t.conn, &org, &id)).await
    }

    /// The organization's albums, oldest first, at most `limit`.
    pub async fn sharinpix_albums(&self, org: String, limit: u64) -> Result<Vec<SharinPixAlbum>, Error> {
        self.call(move |t| albums(t.conn, &org, limit)).await
    }

    /// An album's live images, oldest first, at most `limit`.
    pub async fn sharinpix_album_images(
        &self,
        org: String,
        album: String,
        limit: u64,
    ) -> Result<Vec<SharinPixImage>, Error> {
        self.call(move |t| album_images(t.conn, &org, &album, limit)).await
    }

    /// A new id for something the caller names itself (an album).
    pub async fn sharinpix_new_id(&self) -> Result<String, Error> {
        self.call(|t| next_id(t.conn)).await
    }

    /// The image, if the organization has it and it is not in the trash.
    pub async fn sharinpix_image(&self, org: String, id: String) -> Result<Option<SharinPixImage>, Error> {
        self.call(move |t| image(t.conn, &org, &id)).await
    }
}

fn secret_from_row(r: &Row<'_>) -> rusqlite::Result<SharinPixSecret> {
    Ok(SharinPixSecret {
        id: r.get(0)?,
        org: r.get(1)?,
        secret: r.get(2)?,
    })
}

fn secret(conn: &Conn, id: &str) -> Result<Option<SharinPixSecret>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, org, secret FROM sharinpix_secrets WHERE id = ?1")?
        .query_row([id], secret_from_row)
        .optional()?)
}

const ALBUM_SELECT: &str = "SELECT l.org, l.id, l.created_at,
       (SELECT count(*) FROM sharinpix_images i JOIN assets a ON a.id = i.asset_id
        WHERE i.org = l.org AND i.album = l.id AND a.trashed_at IS NULL)
     FROM sharinpix_albums l ";

fn album_from_row(r: &Row<'_>) -> rusqlite::Result<SharinPixAlbum> {
    Ok(SharinPixAlbum {
        org: r.get(0)?,
        id: r.get(1)?,
        created_at: r.get(2)?,
        images_count: r.get::<_, i64>(3)?.max(0) as u64,
    })
}

pub(super) fn album(conn: &Conn, org: &str, id: &str) -> Result<Option<SharinPixAlbum>, Error> {
    let sql = format!("{ALBUM_SELECT}WHERE l.org = ?1 AND l.id = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![org, id], album_from_row)
        .optional()?)
}

fn albums(conn: &Conn, org: &str, limit: u64) -> Result<Vec<SharinPixAlbum>, Error> {
    let sql = format!("{ALBUM_SELECT}WHERE l.org = ?1 ORDER BY l.created_at, l.id LIMIT ?2");
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![org, limit.min(i64::MAX as u64) as i64], album_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The columns `image_from_row` reads: the asset's first. An image whose
/// asset is in the IPS trash is not found.
const IMAGE_SELECT: &str = concat!(
    "SELECT ",
    asset_columns!(),
    ", i.id, i.org, i.album, i.group_id, i.filename, i.infos, i.metadatas, i.created_at, i.updated_at, c.name
     FROM sharinpix_images i JOIN assets a ON a.id = i.asset_id
     JOIN folders f ON f.id = a.folder_id JOIN companies c ON c.id = a.company_id "
);

fn image_from_row(r: &Row<'_>) -> rusqlite::Result<SharinPixImage> {
    let at = queries::ASSET_COLUMNS;
    Ok(SharinPixImage {
        asset: queries::asset_from_row(r)?,
        id: r.get(at)?,
        org: r.get(at + 1)?,
        album: r.get(at + 2)?,
        group_id: r.get(at + 3)?,
        filename: r.get(at + 4)?,
        infos: r.get(at + 5)?,
        metadatas: r.get(at + 6)?,
        created_at: r.get(at + 7)?,
        updated_at: r.get(at + 8)?,
        company: r.get(at + 9)?,
    })
}

pub(super) fn image(conn: &Conn, org: &str, id: &str) -> Result<Option<SharinPixImage>, Error> {
    let sql = format!("{IMAGE_SELECT}WHERE i.id = ?1 AND i.org = ?2 AND a.trashed_at IS NULL");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![id, org], image_from_row)
        .optional()?)
}

pub(super) fn album_images(conn: &Conn, org: &str, album: &str, limit: u64) -> Result<Vec<SharinPixImage>, Error> {
    let sql = format!(
        "{IMAGE_SELECT}WHERE i.org = ?1 AND i.album = ?2 AND a.trashed_at IS NULL
         ORDER BY i.created_at, a.id LIMIT ?3"
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(params![org, album, limit.min(i64::MAX as u64) as i64], image_from_row)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Where an organization keeps its albums: `(company id, folder)`.
pub(super) fn org_folder(conn: &Conn, org: &str) -> Result<Option<(i64, String)>, Error> {
    Ok(conn
        .prepare_cached("SELECT company_id, folder FROM sharinpix_orgs WHERE id = ?1")?
        .query_row([org], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A new id: a UUID (version 4 in form) made from the next value of a
/// counter, so the ids a run of requests gets are the same after a reset.
pub(super) fn next_id(conn: &Conn) -> Result<String, Error> {
    let n = super::counters::stored(conn, SEQUENCE)?.unwrap_or(1);
    super::counters::set(conn, SEQUENCE, n + 1)?;
    Ok(uuid_from(n))
}

fn uuid_from(n: i64) -> String {
    let digest = Sha256::new()
        .chain_update(b"sharinpix-id:")
        .chain_update(n.to_be_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::uuid_from;

    #[test]
    fn ids_are_version_4_uuids_and_distinct() {
        let (a, b) = (uuid_from(1), uuid_from(2));
        assert_ne!(a, b);
        assert_eq!(a, uuid_from(1));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(parts[2].starts_with('4') && "89ab".contains(&parts[3][..1]), "{a}");
    }
}
