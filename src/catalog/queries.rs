//! The SQL behind each catalog call. Every function runs on the worker thread
//! inside the job's savepoint; returning `Err` undoes what it wrote.

use super::db::{Conn, Row};
use rusqlite::{params, ErrorCode, OptionalExtension};

use super::{
    Asset, CopyAsset, Error, NewContent, SeedData, Tx, UploadAssets, UploadJobRef, UploadOutcome, UploadRefusal,
    UserRecord,
};
use crate::handles::{AssetHandle, IMAGE_TYPE_CODE};

pub(super) fn is_empty(conn: &Conn) -> Result<bool, Error> {
    let n: i64 = conn.query_row("SELECT count(*) FROM companies", (), |r| r.get(0))?;
    Ok(n == 0)
}

pub(super) fn apply_seed(tx: &mut Tx<'_>, seed: &SeedData) -> Result<(), Error> {
    let conn = tx.conn;
    if !is_empty(conn)? {
        return Err(Error::InvalidSeed("the catalog is not empty".into()));
    }
    for c in &seed.companies {
        conn.execute(
            "INSERT INTO companies (id, name, root_path, expires) VALUES (?1, ?2, ?3, ?4)",
            params![c.id, c.name, c.root_path, c.expires],
        )
        .map_err(|e| seed_conflict(e, &format!("company {}", c.name)))?;
        for path in std::iter::once(&c.root_path).chain(&c.folders) {
            if !path.starts_with(&c.root_path) || !path.ends_with('/') {
                return Err(Error::InvalidSeed(format!(
                    "folder {path} is not under {}",
                    c.root_path
                )));
            }
            // A folder implies its parents: every prefix ending in `/` from
            // the root down is a folder too, so no folder is an orphan.
            let ancestors = path
                .match_indices('/')
                .map(|(i, _)| &path[..=i])
                .filter(|p| p.len() >= c.root_path.len());
            for folder in ancestors {
                conn.execute(
                    "INSERT OR IGNORE INTO folders (company_id, path) VALUES (?1, ?2)",
                    params![c.id, folder],
                )?;
            }
        }
    }
    for c in &seed.companies {
        for f in &c.metadata_fields {
            super::metadata::seed_field(conn, c.id, f).map_err(|e| match e {
                Error::MetadataFieldExists => Error::InvalidSeed(format!("company {}: field {} twice", c.name, f.name)),
                other => other,
            })?;
        }
    }
    for u in &seed.users {
        let user_id: i64 = conn
            .query_row(
                "INSERT INTO users (email, password_hash, user_type, first_name, last_name)
                 VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![u.email, u.password_hash, u.user_type, u.first_name, u.last_name],
                |r| r.get(0),
            )
            .map_err(|e| seed_conflict(e, &format!("user {}", u.email)))?;
        for company in &u.companies {
            conn.execute(
                "INSERT INTO memberships (user_id, company_id) VALUES (?1, ?2)",
                params![user_id, company],
            )
            .map_err(|e| seed_conflict(e, &format!("membership of {} in c|{company}", u.email)))?;
        }
    }
    for a in &seed.assets {
        let folder_id = folder_id(conn, a.company_id, &a.folder)?
            .ok_or_else(|| Error::InvalidSeed(format!("asset {}: no folder {}", a.name, a.folder)))?;
        conn.execute(
            "INSERT INTO assets (id, type_code, type_record_id, asset_type, company_id, folder_id,
                                 name, width, height, format, byte_size, content_hash,
                                 url_modifier, url_post_modifier)
             VALUES (?1, ?2, ?3, 'Image', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            params![
                a.id,
                IMAGE_TYPE_CODE,
                a.image_id,
                a.company_id,
                folder_id,
                a.name,
                a.width,
                a.height,
                a.format,
                a.byte_size as i64,
                a.content_hash,
                a.url_modifier,
                a.url_post_modifier
            ],
        )
        .map_err(|e| seed_conflict(e, &format!("asset {}", a.name)))?;
    }
    super::kameleoon::apply_seed(conn, &seed.kameleoon)?;
    super::sharinpix_seed::apply_seed(conn, &seed.sharinpix)?;
    super::property_sets::apply_seed(conn, &seed.property_sets)?;
    let max_asset = seed.assets.iter().map(|a| a.id).max().unwrap_or(0);
    let max_image = seed.assets.iter().map(|a| a.image_id).max().unwrap_or(0);
    let next_asset = seed.next_asset_id.unwrap_or(max_asset + 1).max(max_asset + 1);
    let next_image = seed.next_image_id.unwrap_or(max_image + 1).max(max_image + 1);
    // Written to `sequences` with the batch's commit.
    tx.set_image_ids(next_asset, next_image);
    Ok(())
}

pub(super) fn seed_conflict(e: rusqlite::Error, what: &str) -> Error {
    if is_constraint(&e) {
        Error::InvalidSeed(format!("{what} is defined twice or names something missing"))
    } else {
        Error::Sqlite(e)
    }
}

pub(super) fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == ErrorCode::ConstraintViolation)
}

/// A UNIQUE index refused the row: a name clash. Other constraints (a
/// foreign key naming a user a reset removed) are not the caller's clash.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Maps a write's failure: a UNIQUE violation is `clash` (the caller's name
/// or path is taken), anything else stays SQLite's.
pub(super) fn clash_as(clash: Error) -> impl FnOnce(rusqlite::Error) -> Error {
    move |e| {
        if is_unique_violation(&e) {
            clash
        } else {
            Error::Sqlite(e)
        }
    }
}

pub(super) fn user_by_email(conn: &Conn, email: &str) -> Result<Option<UserRecord>, Error> {
    let user = conn
        .prepare_cached("SELECT id, email, password_hash, user_type FROM users WHERE email = ?1")?
        .query_row([email], |r| {
            Ok(UserRecord {
                id: r.get(0)?,
                email: r.get(1)?,
                password_hash: r.get(2)?,
                user_type: r.get(3)?,
                companies: Vec::new(),
            })
        })
        .optional()?;
    let Some(mut user) = user else { return Ok(None) };
    user.companies = memberships(conn, user.id)?;
    Ok(Some(user))
}

/// Ids of the companies a user belongs to, ascending.
pub(super) fn memberships(conn: &Conn, user_id: i64) -> Result<Vec<i64>, Error> {
    let mut stmt = conn.prepare_cached("SELECT company_id FROM memberships WHERE user_id = ?1 ORDER BY company_id")?;
    let ids = stmt.query_map([user_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(ids)
}

pub(super) fn folder_id(conn: &Conn, company_id: i64, path: &str) -> Result<Option<i64>, Error> {
    Ok(conn
        .prepare_cached("SELECT id FROM folders WHERE company_id = ?1 AND path = ?2")?
        .query_row(params![company_id, path], |r| r.get(0))
        .optional()?)
}

/// How many columns `asset_columns!` selects, and `asset_from_row` reads:
/// a query's own columns come after them.
pub(super) const ASSET_COLUMNS: usize = 15;

pub(super) fn asset_from_row(r: &Row<'_>) -> rusqlite::Result<Asset> {
    Ok(Asset {
        id: r.get(0)?,
        type_code: r.get(1)?,
        type_record_id: r.get(2)?,
        asset_type: r.get(3)?,
        company_id: r.get(4)?,
        folder: r.get(5)?,
        name: r.get(6)?,
        width: r.get(7)?,
        height: r.get(8)?,
        format: r.get(9)?,
        byte_size: r.get::<_, i64>(10)?.max(0) as u64,
        content_hash: r.get(11)?,
        url_modifier: r.get(12)?,
        url_post_modifier: r.get(13)?,
        in_trash: r.get(14)?,
    })
}

/// The live asset a handle names in the company: one in the trash is
/// `AssetInTrash`, as nothing but the trash operations may change it.
pub(super) fn asset(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<Asset, Error> {
    let asset = asset_in_any_state(conn, company_id, handle)?;
    if asset.in_trash {
        return Err(Error::AssetInTrash);
    }
    Ok(asset)
}

/// The asset a handle names in the company, in the trash or not.
pub(super) fn asset_in_any_state(conn: &Conn, company_id: i64, handle: AssetHandle) -> Result<Asset, Error> {
    const SQL: &str = concat!(
        "SELECT ",
        asset_columns!(),
        " FROM assets a JOIN folders f ON f.id = a.folder_id WHERE a.id = ?1 AND a.company_id = ?2"
    );
    let asset = conn
        .prepare_cached(SQL)?
        .query_row(params![handle.id, company_id], asset_from_row)
        .optional()?
        .ok_or(Error::AssetNotFound)?;
    // A long handle must agree with the asset in every part, or it names
    // something else.
    match handle.typed {
        Some(typed) if typed != (asset.type_code, asset.type_record_id) => Err(Error::AssetNotFound),
        _ => Ok(asset),
    }
}

pub(super) fn asset_by_name(conn: &Conn, company: &str, name: &str) -> Result<Option<Asset>, Error> {
    const SQL: &str = concat!(
        "SELECT ",
        asset_columns!(),
        " FROM assets a JOIN folders f ON f.id = a.folder_id JOIN companies c ON c.id = a.company_id
         WHERE c.name = ?1 AND a.name = ?2"
    );
    Ok(conn
        .prepare_cached(SQL)?
        .query_row(params![company, name], asset_from_row)
        .optional()?)
}

pub(super) fn company_exists(conn: &Conn, company_id: i64) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM companies WHERE id = ?1")?
        .query_row([company_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The handle counters, `(asset, image)`: the next asset id and image record
/// id to mint.
pub(super) fn read_sequences(conn: &Conn) -> Result<(i64, i64), Error> {
    // Other instances on the same database wait here until this batch has
    // written the counters back and committed.
    conn.lock_ids()?;
    let (asset, image) = conn
        .prepare_cached(
            "SELECT (SELECT next FROM sequences WHERE name = 'asset'),
                    (SELECT next FROM sequences WHERE name = 'image')",
        )?
        .query_row((), |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)))?;
    asset
        .zip(image)
        .ok_or(Error::Sqlite(rusqlite::Error::QueryReturnedNoRows))
}

/// Stores the handle counters. Single-row upserts: `IN` over the two names,
/// or `RETURNING`, would build an ephemeral table.
pub(super) fn write_sequences(conn: &Conn, asset: i64, image: i64) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO sequences (name, next) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET next = excluded.next",
    )?;
    stmt.execute(params!["asset", asset])?;
    stmt.execute(params!["image", image])?;
    Ok(())
}

/// Adds the copy's row. Its one write is the final `INSERT`, so a copy that
/// fails leaves nothing behind without a savepoint (see `Isolation`); the
/// handle ids are taken only once the row is in.
pub(super) fn copy_asset<P>(tx: &mut Tx<'_>, req: &CopyAsset, blob_present: P) -> Result<Asset, Error>
where
    P: FnOnce(&str) -> bool,
{
    let conn = tx.conn;
    // The source's columns and the destination folder's id in one statement:
    // the copy is the hot path, and every statement costs.
    let found = conn
        .prepare_cached(
            "SELECT type_code, type_record_id, asset_type, width, height, format, byte_size, content_hash,
                    (SELECT id FROM folders WHERE company_id = ?2 AND path = ?3), ready_for_publish,
                    trashed_at IS NOT NULL
             FROM assets WHERE id = ?1 AND company_id = ?2",
        )?
        .query_row(params![req.source.id, req.company_id, req.folder], |r| {
            Ok(CopySource {
                typed: (r.get(0)?, r.get(1)?),
                asset_type: r.get(2)?,
                width: r.get(3)?,
                height: r.get(4)?,
                format: r.get(5)?,
                byte_size: r.get::<_, i64>(6)?.max(0) as u64,
                content_hash: r.get(7)?,
                folder_id: r.get(8)?,
                ready_for_publish: r.get(9)?,
                in_trash: r.get(10)?,
            })
        })
        .optional()?;
    // A long handle must agree with the asset in every part, or it names
    // something else. The company check only matters when the lookup fails:
    // an asset found in the company proves the company exists.
    let source = match found {
        Some(s) if req.source.typed.is_none_or(|typed| typed == s.typed) => s,
        _ if !company_exists(conn, req.company_id)? => return Err(Error::CompanyNotFound),
        _ => return Err(Error::AssetNotFound),
    };
    if source.in_trash {
        return Err(Error::AssetInTrash);
    }
    if source.asset_type != "Image" {
        return Err(Error::NotAnImage(source.asset_type));
    }
    let folder_id = source.folder_id.ok_or(Error::FolderNotFound)?;
    // A rendering names its own new bytes; a plain copy shares the source's.
    // Either way the copy starts with no stored modifiers: they are baked in.
    let content = req.content.clone().unwrap_or_else(|| NewContent {
        content_hash: source.content_hash.clone(),
        width: source.width.unwrap_or(0),
        height: source.height.unwrap_or(0),
        format: source.format.clone().unwrap_or_default(),
        byte_size: source.byte_size,
    });
    if !blob_present(&content.content_hash) {
        return Err(Error::BlobMissing);
    }
    let (id, image_id) = tx.next_image_ids()?;
    let now = timestamp(std::time::SystemTime::now());
    insert_image(
        conn,
        NewImageRow {
            ids: (id, image_id),
            company_id: req.company_id,
            folder_id,
            name: &req.name,
            content: &content,
            // A copy keeps its source's publish mark; it is a new asset, so
            // it starts unpublished.
            ready_for_publish: source.ready_for_publish,
            actor_user_id: Some(req.actor_user_id),
            now: &now,
        },
    )
    .map_err(clash_as(Error::NameInUse))?;
    tx.take_image_ids();
    Ok(Asset {
        id,
        type_code: IMAGE_TYPE_CODE,
        type_record_id: image_id,
        asset_type: source.asset_type,
        company_id: req.company_id,
        folder: req.folder.clone(),
        name: req.name.clone(),
        width: Some(content.width),
        height: Some(content.height),
        format: Some(content.format),
        byte_size: content.byte_size,
        content_hash: content.content_hash,
        url_modifier: String::new(),
        url_post_modifier: String::new(),
        in_trash: false,
    })
}
/// A new Image row: what `insert_image` writes.
pub(super) struct NewImageRow<'a> {
    /// `(asset id, image record id)`.
    pub ids: (i64, i64),
    pub company_id: i64,
    pub folder_id: i64,
    pub name: &'a str,
    pub content: &'a NewContent,
    /// Marked for publish.
    pub ready_for_publish: bool,
    /// The IPS user making it; none for a facade's client.
    pub actor_user_id: Option<i64>,
    pub now: &'a str,
}

/// Inserts an Image row (a copy's or an upload's). One statement, so a
/// caller that writes nothing else needs no savepoint.
pub(super) fn insert_image(conn: &Conn, row: NewImageRow<'_>) -> rusqlite::Result<usize> {
    let c = row.content;
    conn.prepare_cached(
        "INSERT INTO assets (id, type_code, type_record_id, asset_type, company_id, folder_id, name,
                             width, height, format, byte_size, content_hash, created_by,
                             created_at, modified_at, ready_for_publish)
         VALUES (?1, ?2, ?3, 'Image', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14)",
    )?
    .execute(params![
        row.ids.0,
        IMAGE_TYPE_CODE,
        row.ids.1,
        row.company_id,
        row.folder_id,
        row.name,
        c.width,
        c.height,
        c.format,
        c.byte_size as i64,
        c.content_hash,
        row.actor_user_id,
        row.now,
        row.ready_for_publish
    ])
}

/// What a copy takes from its source row, and the destination folder's id.
struct CopySource {
    /// `(type_code, type_record_id)`, to check a long handle against.
    typed: (i64, i64),
    asset_type: String,
    width: Option<u32>,
    height: Option<u32>,
    format: Option<String>,
    byte_size: u64,
    content_hash: String,
    /// `None` when the company has no such folder.
    folder_id: Option<i64>,
    /// The source's publish mark, which the copy keeps.
    ready_for_publish: bool,
    /// In the trash: not a source a copy may be made from.
    in_trash: bool,
}

/// Times as the catalog stores them.
pub(super) fn timestamp(time: std::time::SystemTime) -> String {
    crate::clock::utc_millis(time)
}

/// Brings a catalog written by an earlier version up to the current schema.
pub(super) fn migrate(conn: &Conn) -> Result<(), Error> {
    if !has_column(conn, "assets", "url_post_modifier")? {
        conn.execute_batch("ALTER TABLE assets ADD COLUMN url_post_modifier TEXT NOT NULL DEFAULT ''")?;
    }
    if !has_column(conn, "assets", "modified_by")? {
        conn.execute_batch("ALTER TABLE assets ADD COLUMN modified_by INTEGER REFERENCES users(id)")?;
    }
    if !has_column(conn, "companies", "expires")? {
        conn.execute_batch("ALTER TABLE companies ADD COLUMN expires TEXT")?;
    }
    if !has_column(conn, "assets", "trashed_at")? {
        conn.execute_batch("ALTER TABLE assets ADD COLUMN trashed_at TEXT")?;
    }
    if table_exists(conn, "upload_jobs")? {
        // Upload servlet jobs moved into `jobs`, keeping their ids (handles).
        conn.execute_batch(
            "INSERT INTO jobs (id, company_id, kind, name, original_name, state, overwrite, closed, created_by,
                               created_at, started_at, updated_at, ended_at)
             SELECT id, company_id, 'UploadPost', name, name, CASE WHEN ended THEN 'Done' ELSE 'Running' END,
                    overwrite, ended, created_by, created_at, created_at, created_at,
                    CASE WHEN ended THEN created_at END
             FROM upload_jobs;
             DROP TABLE upload_jobs;",
        )?;
    }
    if !has_column(conn, "folders", "modified_at")? {
        // A column added to existing rows needs a constant default; the rows
        // are then stamped with the time of the upgrade.
        conn.execute_batch(
            "ALTER TABLE folders ADD COLUMN modified_at TEXT NOT NULL DEFAULT '';
             UPDATE folders SET modified_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');",
        )?;
    }
    // Which instance runs a job, and until when its claim holds
    // (catalog::jobs::JOB_LEASE).
    if !has_column(conn, "jobs", "runner")? {
        conn.execute_batch(
            "ALTER TABLE jobs ADD COLUMN runner TEXT; ALTER TABLE jobs ADD COLUMN lease_until INTEGER;",
        )?;
    }
    super::publish::migrate(conn)
}

fn table_exists(conn: &Conn, table: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1")?
        .query_row([table], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn has_column(conn: &Conn, table: &str, column: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2")?
        .query_row([table, column], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Whether any asset names the blob.
pub(super) fn blob_referenced(conn: &Conn, hash: &str) -> Result<bool, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM assets WHERE content_hash = ?1
             UNION ALL SELECT 1 FROM jobs WHERE export_hash = ?1
             UNION ALL SELECT 1 FROM sharinpix_uploads WHERE content_hash = ?1 LIMIT 1",
        )?
        .query_row([hash], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(super) fn count_assets(conn: &Conn) -> Result<u64, Error> {
    let n: i64 = conn.query_row("SELECT count(*) FROM assets", (), |r| r.get(0))?;
    Ok(n.max(0) as u64)
}

pub(super) fn referenced_blobs(conn: &Conn) -> Result<Vec<String>, Error> {
    let mut stmt = conn.prepare(
        "SELECT content_hash FROM assets UNION SELECT export_hash FROM jobs WHERE export_hash IS NOT NULL
         UNION SELECT content_hash FROM sharinpix_uploads ORDER BY 1",
    )?;
    let hashes = stmt.query_map((), |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(hashes)
}

/// One upload servlet request (see `Catalog::upload_assets`). Runs in the
/// job's savepoint: any refusal rolls back the job row and every asset
/// written before it.
pub(super) fn upload_assets(tx: &mut Tx<'_>, req: &UploadAssets) -> Result<UploadOutcome, Error> {
    let conn = tx.conn;
    let root: String = conn
        .prepare_cached("SELECT root_path FROM companies WHERE id = ?1")?
        .query_row([req.company_id], |r| r.get(0))
        .optional()?
        .ok_or(Error::CompanyNotFound)?;
    let (job_id, job_name, options) = match &req.job {
        UploadJobRef::Start { name, options } => {
            let id = super::upload_jobs::start_upload_job(conn, req.company_id, name, options, req.actor_user_id)?;
            (id, name.clone(), *options)
        }
        UploadJobRef::Continue { id, name } => match super::upload_jobs::upload_job(conn, req.company_id, *id)? {
            // Like a long asset handle, a job handle must agree in every part.
            Some((stored, _, _)) if stored != *name => return Err(Error::Upload(UploadRefusal::JobNotFound)),
            Some((_, true, _)) => return Err(Error::Upload(UploadRefusal::JobEnded)),
            Some((stored, false, options)) => (*id, stored, options),
            None => return Err(Error::Upload(UploadRefusal::JobNotFound)),
        },
        UploadJobRef::Within { id, options } => match super::jobs::job(conn, req.company_id, *id)? {
            Some(job) => (*id, job.name, *options),
            None => return Err(Error::JobNotFound),
        },
    };
    let overwrite = options.overwrite;
    const EXISTING: &str = concat!(
        "SELECT ",
        asset_columns!(),
        " FROM assets a JOIN folders f ON f.id = a.folder_id WHERE a.company_id = ?1 AND a.name = ?2 COLLATE NOCASE"
    );
    let now = timestamp(std::time::SystemTime::now());
    let mut assets = Vec::with_capacity(req.files.len());
    let mut replaced_blobs = Vec::new();
    let mut updated = Vec::new();
    for file in &req.files {
        // A path that starts with the company's root is a full path;
        // anything else is under the root.
        let path = if file.folder.starts_with(&root) {
            file.folder.clone()
        } else {
            format!("{root}{}", file.folder)
        };
        let Some(folder_id) = folder_id(conn, req.company_id, &path)? else {
            return Err(Error::Upload(UploadRefusal::FolderNotFound(path)));
        };
        let content = &file.content;
        let existing = conn
            .prepare_cached(EXISTING)?
            .query_row(params![req.company_id, file.name], asset_from_row)
            .optional()?;
        match existing {
            // Overwriting replaces the bytes and what they determine; the
            // asset keeps its handle, folder, name and stored modifiers, and
            // takes the job's publish mark unless the job preserves its own.
            // An asset in the trash is brought back: the upload asked for a
            // live asset of that name.
            Some(old) if overwrite && old.asset_type == "Image" => {
                conn.prepare_cached(
                    "UPDATE assets SET width = ?2, height = ?3, format = ?4, byte_size = ?5, content_hash = ?6,
                                       modified_at = ?7, modified_by = ?8, trashed_at = NULL,
                                       ready_for_publish = CASE WHEN ?10 THEN ready_for_publish ELSE ?9 END
                     WHERE id = ?1",
                )?
                .execute(params![
                    old.id,
                    content.width,
                    content.height,
                    content.format,
                    content.byte_size as i64,
                    content.content_hash,
                    now,
                    req.actor_user_id,
                    options.ready_for_publish,
                    options.preserve_publish_state
                ])?;
                if old.content_hash != content.content_hash {
                    replaced_blobs.push(old.content_hash.clone());
                }
                updated.push(old.id);
                assets.push(Asset {
                    width: Some(content.width),
                    height: Some(content.height),
                    format: Some(content.format.clone()),
                    byte_size: content.byte_size,
                    content_hash: content.content_hash.clone(),
                    in_trash: false,
                    ..old
                });
            }
            Some(_) => return Err(Error::Upload(UploadRefusal::NameInUse(file.name.clone()))),
            None => {
                let (id, image_id) = tx.next_image_ids()?;
                insert_image(
                    conn,
                    NewImageRow {
                        ids: (id, image_id),
                        company_id: req.company_id,
                        folder_id,
                        name: &file.name,
                        content,
                        ready_for_publish: options.ready_for_publish,
                        actor_user_id: Some(req.actor_user_id),
                        now: &now,
                    },
                )?;
                tx.take_image_ids();
                assets.push(Asset {
                    id,
                    type_code: IMAGE_TYPE_CODE,
                    type_record_id: image_id,
                    asset_type: "Image".to_owned(),
                    company_id: req.company_id,
                    folder: path,
                    name: file.name.clone(),
                    width: Some(content.width),
                    height: Some(content.height),
                    format: Some(content.format.clone()),
                    byte_size: content.byte_size,
                    content_hash: content.content_hash.clone(),
                    url_modifier: String::new(),
                    url_post_modifier: String::new(),
                    in_trash: false,
                });
            }
        }
    }
    super::upload_jobs::log_uploads(conn, job_id, &assets, &updated)?;
    if req.end_job && matches!(req.job, UploadJobRef::Start { .. } | UploadJobRef::Continue { .. }) {
        super::upload_jobs::close_upload_job(conn, job_id)?;
    }
    Ok(UploadOutcome {
        job_id,
        job_name,
        assets,
        replaced_blobs,
    })
}

/// Empties every table, children before parents for the foreign keys, and
/// applies `seed`: what a fresh catalog with that seed holds, counters
/// included. Row ids restart too, since no table uses AUTOINCREMENT.
pub(super) fn reset(tx: &mut Tx<'_>, seed: &SeedData) -> Result<(), Error> {
    // No other instance's batch mints from the counters this empties.
    tx.conn.lock_ids()?;
    // The facades' rows name assets, folders' companies and each other.
    super::kameleoon::clear(tx.conn)?;
    super::sharinpix_seed::clear(tx.conn)?;
    super::property_sets::clear(tx.conn)?;
    super::image_fields::clear(tx.conn)?;
    tx.conn.execute_batch(
        "DELETE FROM asset_metadata; DELETE FROM metadata_fields; DELETE FROM cdn_invalidations; DELETE FROM job_log_details; DELETE FROM jobs;
         DELETE FROM set_members; DELETE FROM asset_sets; DELETE FROM derived_assets; DELETE FROM assets; DELETE FROM memberships; DELETE FROM folders;
         DELETE FROM users; DELETE FROM companies; DELETE FROM sequences;",
    )?;
    apply_seed(tx, seed)
}

#[cfg(test)]
mod tests {
    //! The catalog suite, on in-memory SQLite.
    use super::super::{Catalog, CopyAsset, Error, NewContent, SeedAsset, SeedCompany, SeedData, SeedUser};
    use crate::handles::AssetHandle;

    #[test]
    fn asset_columns_counts_what_asset_columns_selects() {
        assert_eq!(asset_columns!().split(',').count(), super::ASSET_COLUMNS);
    }
    fn seed() -> SeedData {
        SeedData {
            companies: vec![
                SeedCompany {
                    id: 6,
                    name: "ApiTestCo".into(),
                    root_path: "ApiTestCo/".into(),
                    expires: None,
                    folders: vec!["ApiTestCo/uploads/".into()],
                    metadata_fields: Vec::new(),
                },
                SeedCompany {
                    id: 21,
                    name: "OtherCo".into(),
                    root_path: "OtherCo/".into(),
                    expires: None,
                    folders: vec![],
                    metadata_fields: Vec::new(),
                },
            ],
            users: vec![SeedUser {
                email: "ipsuser@ips.test".into(),
                password_hash: "$argon2id$fake".into(),
                user_type: "IpsUser".into(),
                first_name: String::new(),
                last_name: String::new(),
                companies: vec![6],
            }],
            assets: vec![
                SeedAsset {
                    id: 739,
                    image_id: 537,
                    company_id: 6,
                    folder: "ApiTestCo/".into(),
                    name: "macbookwin1".into(),
                    width: 640,
                    height: 427,
                    format: "jpeg".into(),
                    byte_size: 10,
                    content_hash: "h1".into(),
                    url_modifier: "wid=100".into(),
                    url_post_modifier: "fmt=png".into(),
                },
                SeedAsset {
                    id: 300,
                    image_id: 200,
                    company_id: 21,
                    folder: "OtherCo/".into(),
                    name: "other".into(),
                    width: 1,
                    height: 1,
                    format: "png".into(),
                    byte_size: 1,
                    content_hash: "h2".into(),
                    url_modifier: String::new(),
                    url_post_modifier: String::new(),
                },
            ],
            next_asset_id: Some(943),
            next_image_id: Some(580),
            kameleoon: Default::default(),
            sharinpix: Default::default(),
            property_sets: Default::default(),
        }
    }

    async fn seeded() -> Catalog {
        let (catalog, _worker) = Catalog::open_in_memory().expect("open");
        catalog.apply_seed(seed()).await.expect("seed");
        catalog
    }

    fn copy(name: &str) -> CopyAsset {
        CopyAsset {
            company_id: 6,
            source: AssetHandle::long(739, 1, 537),
            folder: "ApiTestCo/".into(),
            name: name.into(),
            actor_user_id: 1,
            content: None,
        }
    }

    #[tokio::test]
    async fn a_rendered_copy_names_its_own_bytes_and_no_modifiers() {
        let catalog = seeded().await;
        let source = catalog.asset(6, AssetHandle::long(739, 1, 537)).await.expect("source");
        assert_eq!(
            (source.url_modifier.as_str(), source.url_post_modifier.as_str()),
            ("wid=100", "fmt=png")
        );
        let content = NewContent {
            content_hash: "h3".into(),
            width: 100,
            height: 67,
            format: "png".into(),
            byte_size: 5,
        };
        let req = CopyAsset {
            content: Some(content.clone()),
            ..copy("rendered")
        };
        let asked = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let seen = asked.clone();
        let copied = catalog
            .copy_asset(req, move |hash| {
                *seen.lock().expect("lock") = hash.to_owned();
                true
            })
            .await
            .expect("copy");
        assert_eq!(
            asked.lock().expect("lock").as_str(),
            "h3",
            "the new blob's presence is checked"
        );
        let stored = catalog.asset(6, copied.handle()).await.expect("stored");
        assert_eq!(
            (
                stored.width,
                stored.height,
                stored.format.as_deref(),
                stored.byte_size,
                stored.content_hash.as_str()
            ),
            (Some(100), Some(67), Some("png"), 5, "h3")
        );
        assert_eq!(
            (stored.url_modifier.as_str(), stored.url_post_modifier.as_str()),
            ("", "")
        );
        assert_eq!(stored, copied);

        // release_blob removes only what no asset names.
        let removed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for hash in ["h3", "h1", "unreferenced"] {
            let removed = removed.clone();
            catalog
                .release_blob(hash.into(), move |h| removed.lock().expect("lock").push(h.to_owned()))
                .await
                .expect("release");
        }
        assert_eq!(*removed.lock().expect("lock"), vec!["unreferenced".to_owned()]);
    }

    #[tokio::test]
    async fn seed_then_lookup_user_case_insensitively() {
        let catalog = seeded().await;
        let user = catalog
            .user_by_email("IPSUSER@ips.test".into())
            .await
            .expect("query")
            .expect("found");
        assert_eq!(user.email, "ipsuser@ips.test");
        assert_eq!(user.companies, vec![6]);
        assert!(catalog
            .user_by_email("nobody@ips.test".into())
            .await
            .expect("query")
            .is_none());
        assert!(!catalog.is_empty().await.expect("query"));
    }

    #[tokio::test]
    async fn seed_is_not_applied_to_a_non_empty_catalog_and_is_all_or_nothing() {
        let catalog = seeded().await;
        let before = catalog.count_assets().await.expect("count");
        let mut other = seed();
        other.assets.truncate(1);
        assert!(!catalog.apply_seed(other).await.expect("answer"), "already seeded");
        assert_eq!(catalog.count_assets().await.expect("count"), before);
        let (fresh, _w) = Catalog::open_in_memory().expect("open");
        let mut bad = seed();
        bad.assets[1].folder = "Nowhere/".into();
        assert!(matches!(fresh.apply_seed(bad).await, Err(Error::InvalidSeed(_))));
        assert!(
            fresh.is_empty().await.expect("query"),
            "a failed seed leaves nothing behind"
        );
    }

    #[tokio::test]
    async fn copies_mint_handles_from_the_seeded_counters() {
        let catalog = seeded().await;
        let first = catalog
            .copy_asset(copy("Copy_macbookwin1"), |_| true)
            .await
            .expect("copy");
        assert_eq!(first.handle().to_string(), "a|943|1|580");
        assert_eq!(
            (first.width, first.height, first.content_hash.as_str()),
            (Some(640), Some(427), "h1")
        );
        let second = catalog.copy_asset(copy("second"), |_| true).await.expect("copy");
        assert_eq!(second.handle().to_string(), "a|944|1|581");
        assert_eq!(catalog.count_assets().await.expect("count"), 4);
        assert_eq!(catalog.referenced_blobs().await.expect("blobs"), vec!["h1", "h2"]);
    }

    #[tokio::test]
    async fn copy_refusals_write_nothing_and_burn_no_handle() {
        let catalog = seeded().await;
        type Expect = fn(&Error) -> bool;
        let cases: Vec<(CopyAsset, Expect)> = vec![
            (
                CopyAsset {
                    company_id: 99,
                    ..copy("a")
                },
                |e| matches!(e, Error::CompanyNotFound),
            ),
            (
                CopyAsset {
                    source: AssetHandle::long(300, 1, 200),
                    ..copy("b")
                },
                |e| matches!(e, Error::AssetNotFound),
            ),
            (
                CopyAsset {
                    source: AssetHandle::long(739, 1, 999),
                    ..copy("c")
                },
                |e| matches!(e, Error::AssetNotFound),
            ),
            (
                CopyAsset {
                    folder: "OtherCo/".into(),
                    ..copy("d")
                },
                |e| matches!(e, Error::FolderNotFound),
            ),
            (copy("MACBOOKWIN1"), |e| matches!(e, Error::NameInUse)),
        ];
        for (req, expected) in cases {
            let err = catalog.copy_asset(req.clone(), |_| true).await.expect_err("refused");
            assert!(expected(&err), "{req:?} gave {err:?}");
        }
        let err = catalog.copy_asset(copy("e"), |_| false).await.expect_err("refused");
        assert!(matches!(err, Error::BlobMissing));
        assert_eq!(catalog.count_assets().await.expect("count"), 2);
        let ok = catalog.copy_asset(copy("f"), |_| true).await.expect("copy");
        assert_eq!(ok.handle().to_string(), "a|943|1|580", "refused copies consumed no id");
    }

    #[test]
    fn timestamps_match_sqlite_strftime() {
        use std::time::{Duration, UNIX_EPOCH};
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        // Epoch, leap days, century rules, end of year, milliseconds.
        for ms in [
            0_u64,
            951_782_400_123,
            951_868_799_999,
            4_107_542_399_001,
            1_709_164_800_500,
            1_735_689_599_999,
            1_767_225_600_000,
            253_402_300_799_999,
        ] {
            let at = UNIX_EPOCH + Duration::from_millis(ms);
            let expected: String = conn
                .query_row(
                    "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?1 / 1000, 'unixepoch', ?2 || ' seconds')",
                    rusqlite::params![ms as i64, format!("0.{:03}", ms % 1000)],
                    |r| r.get(0),
                )
                .expect("strftime");
            assert_eq!(super::timestamp(at), expected, "{ms} ms");
        }
    }

    #[tokio::test]
    async fn a_copy_that_panics_leaves_nothing_and_loses_no_handle() {
        let catalog = seeded().await;
        // Queue a good copy, a panicking one and a refused one back to back,
        // so that they are likely to share a batch.
        let good = tokio::spawn({
            let c = catalog.clone();
            async move { c.copy_asset(copy("good"), |_| true).await }
        });
        let bad = tokio::spawn({
            let c = catalog.clone();
            async move { c.copy_asset(copy("bad"), |_| panic!("blob check blew up")).await }
        });
        let dup = tokio::spawn({
            let c = catalog.clone();
            async move { c.copy_asset(copy("macbookwin1"), |_| true).await }
        });
        assert!(matches!(bad.await.expect("join"), Err(Error::Panicked)));
        assert!(matches!(dup.await.expect("join"), Err(Error::NameInUse)));
        let good = good.await.expect("join").expect("good copy");
        assert_eq!(good.handle().to_string(), "a|943|1|580");
        let next = catalog.copy_asset(copy("after"), |_| true).await.expect("copy");
        assert_eq!(next.handle().to_string(), "a|944|1|581");
        assert_eq!(catalog.count_assets().await.expect("count"), 4);
    }

    #[tokio::test]
    async fn a_job_without_savepoint_that_fails_after_writing_takes_its_batch_down() {
        let catalog = seeded().await;
        let good = tokio::spawn({
            let c = catalog.clone();
            async move { c.copy_asset(copy("good"), |_| true).await }
        });
        let rogue = tokio::spawn({
            let c = catalog.clone();
            async move {
                c.call_single_statement(|t| {
                    t.conn.execute(
                        "INSERT INTO companies (id, name, root_path) VALUES (99, 'Rogue', 'Rogue/')",
                        (),
                    )?;
                    Err::<(), _>(Error::InvalidSeed("second thoughts".into()))
                })
                .await
            }
        });
        assert!(matches!(
            rogue.await.expect("join"),
            Err(Error::InvalidSeed(_) | Error::CommitFailed(_))
        ));
        let good = good.await.expect("join");
        let rogue_rows: i64 = catalog
            .call_single_statement(|t| {
                Ok(t.conn
                    .query_row("SELECT count(*) FROM companies WHERE id = 99", (), |r| r.get(0))?)
            })
            .await
            .expect("count");
        assert_eq!(rogue_rows, 0, "the rogue job's row was rolled back");
        let next = catalog.copy_asset(copy("after"), |_| true).await.expect("copy");
        match good {
            Ok(first) => {
                assert_eq!(first.handle().to_string(), "a|943|1|580");
                assert_eq!(next.handle().to_string(), "a|944|1|581");
            }
            // Rolled back with the rogue job's batch: its ids are free again.
            Err(Error::CommitFailed(_)) => assert_eq!(next.handle().to_string(), "a|943|1|580"),
            Err(e) => panic!("good copy failed: {e:?}"),
        }
    }

    #[tokio::test]
    async fn concurrent_copies_get_distinct_handles() {
        let catalog = seeded().await;
        let mut tasks = Vec::new();
        for i in 0..100 {
            let catalog = catalog.clone();
            tasks.push(tokio::spawn(async move {
                catalog.copy_asset(copy(&format!("n{i}")), |_| true).await
            }));
        }
        let mut handles = std::collections::BTreeSet::new();
        for t in tasks {
            handles.insert(t.await.expect("join").expect("copy").handle().to_string());
        }
        assert_eq!(handles.len(), 100);
        assert_eq!(catalog.count_assets().await.expect("count"), 102);
    }

    #[tokio::test]
    async fn reset_restores_the_seed_counters_and_row_ids() {
        let catalog = seeded().await;
        for name in ["one", "two"] {
            catalog.copy_asset(copy(name), |_| true).await.expect("copy");
        }
        let mut other = seed();
        other.users[0].email = "someone@ips.test".into();
        catalog.reset(other).await.expect("reset to another seed");
        assert!(catalog
            .user_by_email("ipsuser@ips.test".into())
            .await
            .expect("query")
            .is_none());
        catalog.reset(seed()).await.expect("reset");
        assert_eq!(catalog.count_assets().await.expect("count"), 2);
        let user = catalog
            .user_by_email("ipsuser@ips.test".into())
            .await
            .expect("query")
            .expect("user is back");
        assert_eq!(user.id, 1, "row ids start over as in a fresh catalog");
        let first = catalog.copy_asset(copy("one"), |_| true).await.expect("copy");
        assert_eq!(first.handle().to_string(), "a|943|1|580", "the counters start over");
    }

    #[tokio::test]
    async fn a_failed_reset_changes_nothing() {
        let catalog = seeded().await;
        catalog.copy_asset(copy("kept"), |_| true).await.expect("copy");
        let mut bad = seed();
        bad.assets[1].folder = "Nowhere/".into();
        assert!(matches!(catalog.reset(bad).await, Err(Error::InvalidSeed(_))));
        assert_eq!(catalog.count_assets().await.expect("count"), 3, "the old rows stay");
        let next = catalog.copy_asset(copy("next"), |_| true).await.expect("copy");
        assert_eq!(next.handle().to_string(), "a|944|1|581", "and so do the counters");
    }

    #[tokio::test]
    async fn sweep_sees_every_named_blob() {
        let catalog = seeded().await;
        let req = CopyAsset {
            content: Some(NewContent {
                content_hash: "h3".into(),
                width: 1,
                height: 1,
                format: "png".into(),
                byte_size: 1,
            }),
            ..copy("rendered")
        };
        catalog.copy_asset(req, |_| true).await.expect("copy");
        let named = catalog
            .sweep_blobs(|named| named.iter().cloned().collect::<Vec<_>>())
            .await
            .expect("sweep");
        assert_eq!(named, ["h1", "h2", "h3"]);
    }
}
