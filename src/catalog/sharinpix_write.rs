//! SharinPix's writes: albums made (with their IPS folders), images
//! duplicated or made from a stored file (each a new asset in the album's
//! folder and its image row, in one job), images deleted to the IPS trash,
//! files uploaded to an album's form, imports by URL.

use super::db::Conn;
use rusqlite::{params, OptionalExtension};

use super::queries::{self, clash_as, insert_image, NewImageRow};
use super::sharinpix::{album, image, next_id, org_folder, SharinPixAlbum, SharinPixImage};
use super::{Catalog, Error, NewContent, Tx};

/// The album images are written to.
#[derive(Clone, Debug)]
pub struct AlbumTarget {
    /// Album id.
    pub id: String,
    /// Refuse (`NameInUse`) if it exists; otherwise it is made if missing.
    pub must_be_new: bool,
}

/// One image to duplicate, with the `infos` its copy shows.
#[derive(Clone, Debug)]
pub struct SharinPixCopy {
    /// Source image id.
    pub source: String,
    /// The copy's `infos` (JSON).
    pub infos: String,
}

/// Where a new image's bytes come from.
#[derive(Clone, Debug)]
pub enum NewImageSource {
    /// Bytes the caller stored (and holds pinned).
    Stored(NewContent),
    /// A file uploaded to the album's form (its `public_id`), consumed.
    Upload(String),
}

/// A new image from a file.
#[derive(Clone, Debug)]
pub struct SharinPixNewImage {
    /// Organization id.
    pub org: String,
    /// The album (made if missing).
    pub album: String,
    /// `filename`.
    pub filename: String,
    /// `infos` (JSON).
    pub infos: String,
    /// `metadatas` (JSON).
    pub metadatas: String,
    /// Its bytes.
    pub source: NewImageSource,
    /// The import this image ends, if one: its id and `created_at`. If no
    /// such import exists any more (a reset came between), nothing is
    /// written (`JobNotFound`).
    pub import: Option<(String, String)>,
}

/// A file uploaded to an album's form, not yet an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharinPixUpload {
    /// `public_id`.
    pub public_id: String,
    /// Album id.
    pub album: String,
    /// Its stored bytes and what they are.
    pub content: NewContent,
    /// The name it was sent with.
    pub original_filename: String,
    /// When it arrived.
    pub created_at: String,
}

/// An import by URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharinPixImport {
    /// Import id.
    pub id: String,
    /// Organization id.
    pub org: String,
    /// Album id.
    pub album: String,
    /// `import_type` as sent.
    pub import_type: Option<String>,
    /// The request's parameters (JSON object).
    pub params: String,
    /// The image made, once it is.
    pub image_id: Option<String>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// Times as the catalog writes them.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

fn now() -> String {
    queries::timestamp(std::time::SystemTime::now())
}

impl Catalog {
    /// Makes an album (and its folder, unless IPS already made it).
    pub async fn sharinpix_create_album(&self, org: String, target: AlbumTarget) -> Result<SharinPixAlbum, Error> {
        self.call(move |t| {
            ensure_album(t.conn, &org, &target)?;
            album(t.conn, &org, &target.id)?.ok_or(Error::FolderNotFound)
        })
        .await
    }

    /// Duplicates images into `target`, all or none; `blob_present` is
    /// asked, inside the job, whether a source's bytes are still stored.
    pub async fn sharinpix_duplicate<P>(
        &self,
        org: String,
        target: AlbumTarget,
        copies: Vec<SharinPixCopy>,
        blob_present: P,
    ) -> Result<Vec<SharinPixImage>, Error>
    where
        P: Fn(&str) -> bool + Send + 'static,
    {
        self.call(move |t| {
            let folder_id = ensure_album(t.conn, &org, &target)?;
            let mut made = Vec::with_capacity(copies.len());
            for copy in &copies {
                made.push(duplicate(t, &org, &target.id, folder_id, copy, &blob_present)?);
            }
            Ok(made)
        })
        .await
    }

    /// Makes an image from a file (stored or uploaded), ending its import
    /// if it has one.
    pub async fn sharinpix_add_image(&self, new: SharinPixNewImage) -> Result<SharinPixImage, Error> {
        self.call(move |t| add_image(t, &new)).await
    }

    /// Puts an image's asset in the IPS trash.
    pub async fn sharinpix_delete_image(&self, org: String, id: String) -> Result<(), Error> {
        self.call(move |t| {
            let found = image(t.conn, &org, &id)?.ok_or(Error::AssetNotFound)?;
            t.conn
                .prepare_cached("UPDATE assets SET trashed_at = ?2, modified_at = ?2 WHERE id = ?1")?
                .execute(params![found.asset.id, now()])?;
            Ok(())
        })
        .await
    }

    /// Records a file uploaded to an album's form; returns its `public_id`.
    pub async fn sharinpix_record_upload(
        &self,
        org: String,
        album_id: String,
        content: NewContent,
        original_filename: String,
    ) -> Result<SharinPixUpload, Error> {
        self.call(move |t| {
            album(t.conn, &org, &album_id)?.ok_or(Error::FolderNotFound)?;
            let public_id = next_id(t.conn)?.replace('-', "");
            let created_at = now();
            t.conn
                .prepare_cached(
                    "INSERT INTO sharinpix_uploads (public_id, org, album, content_hash, width, height, format,
                                                    byte_size, original_filename, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    public_id,
                    org,
                    album_id,
                    content.content_hash,
                    content.width,
                    content.height,
                    content.format,
                    content.byte_size as i64,
                    original_filename,
                    created_at
                ])?;
            Ok(SharinPixUpload {
                public_id,
                album: album_id,
                content,
                original_filename,
                created_at,
            })
        })
        .await
    }

    /// An uploaded file not yet made an image.
    pub async fn sharinpix_upload(&self, org: String, public_id: String) -> Result<Option<SharinPixUpload>, Error> {
        self.call(move |t| upload(t.conn, &org, &public_id)).await
    }

    /// Records an import; its image comes later.
    pub async fn sharinpix_create_import(
        &self,
        org: String,
        album_id: String,
        import_type: Option<String>,
        params_json: String,
    ) -> Result<SharinPixImport, Error> {
        self.call(move |t| {
            ensure_album(
                t.conn,
                &org,
                &AlbumTarget {
                    id: album_id.clone(),
                    must_be_new: false,
                },
            )?;
            let id = next_id(t.conn)?;
            let at = now();
            t.conn
                .prepare_cached(
                    "INSERT INTO sharinpix_imports (id, org, album, import_type, params, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                )?
                .execute(params![id, org, album_id, import_type, params_json, at])?;
            import(t.conn, &org, &id)?.ok_or(Error::JobNotFound)
        })
        .await
    }

    /// An import.
    pub async fn sharinpix_import(&self, org: String, id: String) -> Result<Option<SharinPixImport>, Error> {
        self.call(move |t| import(t.conn, &org, &id)).await
    }

    /// Ends an import that failed (the one made at `created_at`; a later
    /// import that reuses the id after a reset is left alone).
    pub async fn sharinpix_fail_import(&self, id: String, created_at: String, error: String) -> Result<(), Error> {
        self.call_single_statement(move |t| {
            t.conn
                .prepare_cached(
                    "UPDATE sharinpix_imports SET error = ?3, updated_at = ?4 WHERE id = ?1 AND created_at = ?2",
                )?
                .execute(params![id, created_at, error, now()])?;
            Ok(())
        })
        .await
    }
}

/// Makes the album if it is missing (refusing an existing one if it must
/// be new); returns its folder's id.
fn ensure_album(conn: &Conn, org: &str, target: &AlbumTarget) -> Result<i64, Error> {
    let (company_id, root) = org_folder(conn, org)?.ok_or(Error::CompanyNotFound)?;
    let path = format!("{root}{}/", target.id);
    let exists = album(conn, org, &target.id)?.is_some();
    if exists && target.must_be_new {
        return Err(Error::NameInUse);
    }
    if !exists {
        if queries::folder_id(conn, company_id, &path)?.is_none() {
            super::folders::create(conn, company_id, &path)?;
        }
        conn.prepare_cached("INSERT INTO sharinpix_albums (org, id, created_at) VALUES (?1, ?2, ?3)")?
            .execute(params![org, target.id, now()])?;
    }
    queries::folder_id(conn, company_id, &path)?.ok_or(Error::FolderNotFound)
}

fn duplicate<P>(
    tx: &mut Tx<'_>,
    org: &str,
    album_id: &str,
    folder_id: i64,
    copy: &SharinPixCopy,
    blob_present: &P,
) -> Result<SharinPixImage, Error>
where
    P: Fn(&str) -> bool,
{
    let source = image(tx.conn, org, &copy.source)?.ok_or(Error::AssetNotFound)?;
    let a = &source.asset;
    if !blob_present(&a.content_hash) {
        return Err(Error::BlobMissing);
    }
    let content = NewContent {
        content_hash: a.content_hash.clone(),
        width: a.width.unwrap_or(0),
        height: a.height.unwrap_or(0),
        format: a.format.clone().unwrap_or_default(),
        byte_size: a.byte_size,
    };
    let row = Row {
        org,
        album: album_id,
        folder_id,
        company_id: a.company_id,
        group_id: Some(&source.id),
        filename: &source.filename,
        infos: &copy.infos,
        metadatas: &source.metadatas,
    };
    insert(tx, &row, &content)
}

/// An image row and its asset, before they are written.
struct Row<'a> {
    org: &'a str,
    album: &'a str,
    folder_id: i64,
    company_id: i64,
    group_id: Option<&'a str>,
    filename: &'a str,
    infos: &'a str,
    metadatas: &'a str,
}

/// Writes a new asset named by the new image's id, and the image row.
fn insert(tx: &mut Tx<'_>, row: &Row<'_>, content: &NewContent) -> Result<SharinPixImage, Error> {
    let conn = tx.conn;
    let id = next_id(conn)?;
    let at = now();
    let ids = tx.next_image_ids()?;
    insert_image(
        conn,
        NewImageRow {
            ids,
            company_id: row.company_id,
            folder_id: row.folder_id,
            name: &id,
            content,
            ready_for_publish: false,
            actor_user_id: None,
            now: &at,
        },
    )
    .map_err(clash_as(Error::NameInUse))?;
    tx.take_image_ids();
    conn.prepare_cached(
        "INSERT INTO sharinpix_images (id, org, album, asset_id, group_id, filename, infos, metadatas,
                                       created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
    )?
    .execute(params![
        id,
        row.org,
        row.album,
        ids.0,
        row.group_id,
        row.filename,
        row.infos,
        row.metadatas,
        at
    ])?;
    image(conn, row.org, &id)?.ok_or(Error::AssetNotFound)
}

fn add_image(tx: &mut Tx<'_>, new: &SharinPixNewImage) -> Result<SharinPixImage, Error> {
    if let Some((id, created_at)) = &new.import {
        let pending: bool = tx
            .conn
            .prepare_cached(
                "SELECT count(*) FROM sharinpix_imports
                 WHERE id = ?1 AND created_at = ?2 AND org = ?3 AND image_id IS NULL AND error IS NULL",
            )?
            .query_row(params![id, created_at, new.org], |r| r.get(0))?;
        if !pending {
            return Err(Error::JobNotFound);
        }
    }
    let target = AlbumTarget {
        id: new.album.clone(),
        must_be_new: false,
    };
    let folder_id = ensure_album(tx.conn, &new.org, &target)?;
    let (company_id, _) = org_folder(tx.conn, &new.org)?.ok_or(Error::CompanyNotFound)?;
    let content = match &new.source {
        NewImageSource::Stored(content) => content.clone(),
        NewImageSource::Upload(public_id) => {
            let up = upload(tx.conn, &new.org, public_id)?.ok_or(Error::AssetNotFound)?;
            tx.conn
                .prepare_cached("DELETE FROM sharinpix_uploads WHERE public_id = ?1")?
                .execute([public_id])?;
            up.content
        }
    };
    let row = Row {
        org: &new.org,
        album: &new.album,
        folder_id,
        company_id,
        group_id: None,
        filename: &new.filename,
        infos: &new.infos,
        metadatas: &new.metadatas,
    };
    let made = insert(tx, &row, &content)?;
    if let Some((id, created_at)) = &new.import {
        tx.conn
            .prepare_cached(
                "UPDATE sharinpix_imports SET image_id = ?3, updated_at = ?4 WHERE id = ?1 AND created_at = ?2",
            )?
            .execute(params![id, created_at, made.id, made.created_at])?;
    }
    Ok(made)
}

fn upload(conn: &Conn, org: &str, public_id: &str) -> Result<Option<SharinPixUpload>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT public_id, album, content_hash, width, height, format, byte_size, original_filename, created_at
             FROM sharinpix_uploads WHERE public_id = ?1 AND org = ?2",
        )?
        .query_row(params![public_id, org], |r| {
            Ok(SharinPixUpload {
                public_id: r.get(0)?,
                album: r.get(1)?,
                content: NewContent {
                    content_hash: r.get(2)?,
                    width: r.get(3)?,
                    height: r.get(4)?,
                    format: r.get(5)?,
                    byte_size: r.get::<_, i64>(6)?.max(0) as u64,
                },
                original_filename: r.get(7)?,
                created_at: r.get(8)?,
            })
        })
        .optional()?)
}

fn import(conn: &Conn, org: &str, id: &str) -> Result<Option<SharinPixImport>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT id, org, album, import_type, params, image_id, error, created_at, updated_at
             FROM sharinpix_imports WHERE id = ?1 AND org = ?2",
        )?
        .query_row(params![id, org], |r| {
            Ok(SharinPixImport {
                id: r.get(0)?,
                org: r.get(1)?,
                album: r.get(2)?,
                import_type: r.get(3)?,
                params: r.get(4)?,
                image_id: r.get(5)?,
                error: r.get(6)?,
                created_at: r.get(7)?,
                updated_at: r.get(8)?,
            })
        })
        .optional()?)
}
