//! The rows of Kameleoon's Automation API facade (`kameleoon.sql`): API
//! clients and their secrets' hashes, sites (each keeping its images in one
//! company's folder) and images, each an IPS asset. A clone is one job: a
//! new asset sharing the source's stored bytes and the image row naming it;
//! an upload is one job too, writing an asset and an image row per file and
//! site, all naming files already stored.

use super::db::{Conn, Row};
use rusqlite::{params, OptionalExtension};

use super::queries::{self, clash_as, insert_image, NewImageRow};
use super::{Asset, Catalog, Error, NewContent, Tx};

/// The `sequences` row of the next image id.
const SEQUENCE: &str = "kameleoon_image";
/// `source` of an image uploaded through the API (and of seeded ones).
const UPLOAD_SOURCE: &str = "UPLOAD";

/// Kameleoon's part of a seed.
#[derive(Clone, Debug, Default)]
pub struct KameleoonSeed {
    /// API clients.
    pub clients: Vec<SeedKameleoonClient>,
    /// Their sites.
    pub sites: Vec<SeedKameleoonSite>,
    /// Images over seeded assets.
    pub images: Vec<SeedKameleoonImage>,
    /// The first image id a clone gets (default: one past the largest).
    pub next_image_id: Option<i64>,
}

/// A seeded API client.
#[derive(Clone, Debug)]
pub struct SeedKameleoonClient {
    /// Account id.
    pub id: i64,
    /// `client_id` of the token request.
    pub client_id: String,
    /// argon2 hash of its `client_secret`.
    pub secret_hash: String,
}

/// A seeded site.
#[derive(Clone, Debug)]
pub struct SeedKameleoonSite {
    /// Site id.
    pub id: i64,
    /// Owning client's account id.
    pub client: i64,
    /// The company its images are assets of.
    pub company_id: i64,
    /// The folder they are kept in (a path ending in `/`).
    pub folder: String,
}

/// A seeded image.
#[derive(Clone, Debug)]
pub struct SeedKameleoonImage {
    /// Image id.
    pub id: i64,
    /// Site id.
    pub site: i64,
    /// The asset it is (asset id).
    pub asset_id: i64,
    /// `fileName`.
    pub file_name: String,
}

/// An API client as the token endpoint and every request need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KameleoonClient {
    /// Account id.
    pub id: i64,
    /// `client_id`.
    pub client_id: String,
    /// argon2 hash of the secret.
    pub secret_hash: String,
    /// Its sites' ids, ascending.
    pub sites: Vec<i64>,
}

/// An image with the asset it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KameleoonImage {
    /// Image id.
    pub id: i64,
    /// Site id.
    pub site: i64,
    /// Account id of the client that made it, if a client did.
    pub created_by: Option<i64>,
    /// Its name (the asset's IPS name unless one was given).
    pub name: String,
    /// `fileName`.
    pub file_name: String,
    /// `source`.
    pub source: String,
    /// `altText`.
    pub alt_text: String,
    /// `description`.
    pub description: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// `keywords`.
    pub keywords: Vec<String>,
    /// When it was made, as the catalog writes times.
    pub created_at: String,
    /// The asset.
    pub asset: Asset,
    /// The asset's company's name (its Image Serving URL's first segment).
    pub company: String,
}

/// What a clone needs: the source image, where the copy goes, and what it
/// says differently.
#[derive(Clone, Debug)]
pub struct KameleoonClone {
    /// Source image id.
    pub source: i64,
    /// The site the clone is made on.
    pub site: i64,
    /// The client making it (account id).
    pub client: i64,
    /// Its name; `None` keeps the source's.
    pub name: Option<String>,
    /// `altText`; `None` keeps the source's.
    pub alt_text: Option<String>,
    /// `description`; `None` keeps the source's.
    pub description: Option<String>,
    /// `tags`; `None` keeps the source's.
    pub tags: Option<Vec<String>>,
    /// `keywords`; `None` keeps the source's.
    pub keywords: Option<Vec<String>>,
    /// The new asset's IPS name from the image's name and new id (unique
    /// in the company, or the clone is refused as `NameInUse`).
    pub asset_name: fn(&str, i64) -> String,
}

/// An upload: the images it makes, and what they all say.
#[derive(Clone, Debug)]
pub struct KameleoonUpload {
    /// The client making them (account id).
    pub client: i64,
    /// The images, in the order the reply lists them.
    pub images: Vec<KameleoonNewImage>,
    /// `altText`.
    pub alt_text: String,
    /// `description`.
    pub description: String,
    /// `tags`.
    pub tags: Vec<String>,
    /// The new assets' IPS names, as for a clone.
    pub asset_name: fn(&str, i64) -> String,
}

/// One image an upload makes: an uploaded file on one site.
#[derive(Clone, Debug)]
pub struct KameleoonNewImage {
    /// The site.
    pub site: i64,
    /// Its name.
    pub name: String,
    /// `fileName`.
    pub file_name: String,
    /// The stored file it is.
    pub content: NewContent,
}

impl Catalog {
    /// The client with this `client_id`, with its sites.
    pub async fn kameleoon_client(&self, client_id: String) -> Result<Option<KameleoonClient>, Error> {
        self.call(move |t| client(t.conn, &client_id)).await
    }

    /// The image with this id.
    pub async fn kameleoon_image(&self, id: i64) -> Result<Option<KameleoonImage>, Error> {
        self.call(move |t| image(t.conn, id)).await
    }

    /// A page of the images on a client's sites, by id, and how many there
    /// are in all.
    pub async fn kameleoon_images(
        &self,
        client: i64,
        offset: u64,
        limit: u64,
    ) -> Result<(u64, Vec<KameleoonImage>), Error> {
        self.call(move |t| images(t.conn, client, offset, limit)).await
    }

    /// Makes the clone: a new asset in the site's folder sharing the
    /// source's bytes (`blob_present` is asked, inside the job, whether
    /// they are still stored), and its image row. All or nothing.
    pub async fn kameleoon_clone<P>(&self, req: KameleoonClone, blob_present: P) -> Result<KameleoonImage, Error>
    where
        P: FnOnce(&str) -> bool + Send + 'static,
    {
        self.call(move |t| clone(t, &req, blob_present)).await
    }

    /// Makes an upload's images, each an asset in its site's folder naming
    /// an already stored (and pinned) file, and its image row. All or
    /// nothing.
    pub async fn kameleoon_upload(&self, req: KameleoonUpload) -> Result<Vec<KameleoonImage>, Error> {
        self.call(move |t| upload(t, &req)).await
    }
}

/// The columns `image_from_row` reads: the asset's first, as
/// `queries::asset_from_row` reads them. An image whose asset is in the
/// IPS trash is not found: the trash hides an asset from every lookup
/// (emptying it deletes the image with the asset).
const IMAGE_SELECT: &str = concat!(
    "SELECT ",
    asset_columns!(),
    ", k.id, k.site, k.created_by, COALESCE(k.name, a.name), k.file_name, k.source, k.alt_text,
       k.description, k.tags, k.keywords, k.created_at, c.name
     FROM kameleoon_images k JOIN kameleoon_sites s ON s.id = k.site JOIN assets a ON a.id = k.asset_id
     JOIN folders f ON f.id = a.folder_id JOIN companies c ON c.id = a.company_id "
);

fn image_from_row(r: &Row<'_>) -> rusqlite::Result<KameleoonImage> {
    let at = queries::ASSET_COLUMNS;
    let list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let text: String = r.get(i)?;
        Ok(serde_json::from_str(&text).unwrap_or_default())
    };
    Ok(KameleoonImage {
        asset: queries::asset_from_row(r)?,
        id: r.get(at)?,
        site: r.get(at + 1)?,
        created_by: r.get(at + 2)?,
        name: r.get(at + 3)?,
        file_name: r.get(at + 4)?,
        source: r.get(at + 5)?,
        alt_text: r.get(at + 6)?,
        description: r.get(at + 7)?,
        tags: list(at + 8)?,
        keywords: list(at + 9)?,
        created_at: r.get(at + 10)?,
        company: r.get(at + 11)?,
    })
}

fn client(conn: &Conn, client_id: &str) -> Result<Option<KameleoonClient>, Error> {
    let found = conn
        .prepare_cached("SELECT id, client_id, secret_hash FROM kameleoon_clients WHERE client_id = ?1")?
        .query_row([client_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let Some((id, client_id, secret_hash)) = found else {
        return Ok(None);
    };
    let sites = conn
        .prepare_cached("SELECT id FROM kameleoon_sites WHERE client = ?1 ORDER BY id")?
        .query_map([id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(Some(KameleoonClient {
        id,
        client_id,
        secret_hash,
        sites,
    }))
}

fn image(conn: &Conn, id: i64) -> Result<Option<KameleoonImage>, Error> {
    let sql = format!("{IMAGE_SELECT}WHERE k.id = ?1 AND a.trashed_at IS NULL");
    Ok(conn.prepare_cached(&sql)?.query_row([id], image_from_row).optional()?)
}

fn images(conn: &Conn, client: i64, offset: u64, limit: u64) -> Result<(u64, Vec<KameleoonImage>), Error> {
    let total: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM kameleoon_images k JOIN kameleoon_sites s ON s.id = k.site
             JOIN assets a ON a.id = k.asset_id WHERE s.client = ?1 AND a.trashed_at IS NULL",
        )?
        .query_row([client], |r| r.get(0))?;
    let sql = format!("{IMAGE_SELECT}WHERE s.client = ?1 AND a.trashed_at IS NULL ORDER BY k.id LIMIT ?2 OFFSET ?3");
    let page = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                client,
                limit.min(i64::MAX as u64) as i64,
                offset.min(i64::MAX as u64) as i64
            ],
            image_from_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok((total.max(0) as u64, page))
}

/// Where a site keeps its images: `(company id, folder id)`; the folder is
/// `None` if IPS deleted or renamed it.
fn site_folder(conn: &Conn, site: i64) -> Result<Option<(i64, Option<i64>)>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT s.company_id, f.id FROM kameleoon_sites s
             LEFT JOIN folders f ON f.company_id = s.company_id AND f.path = s.folder WHERE s.id = ?1",
        )?
        .query_row([site], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn clone<P>(tx: &mut Tx<'_>, req: &KameleoonClone, blob_present: P) -> Result<KameleoonImage, Error>
where
    P: FnOnce(&str) -> bool,
{
    let conn = tx.conn;
    let source = image(conn, req.source)?.ok_or(Error::AssetNotFound)?;
    let a = &source.asset;
    if a.asset_type != "Image" {
        return Err(Error::NotAnImage(a.asset_type.clone()));
    }
    if !blob_present(&a.content_hash) {
        return Err(Error::BlobMissing);
    }
    let ready_for_publish: bool = conn
        .prepare_cached("SELECT ready_for_publish FROM assets WHERE id = ?1")?
        .query_row([a.id], |r| r.get(0))?;
    let content = NewContent {
        content_hash: a.content_hash.clone(),
        width: a.width.unwrap_or(0),
        height: a.height.unwrap_or(0),
        format: a.format.clone().unwrap_or_default(),
        byte_size: a.byte_size,
    };
    let id = insert(
        tx,
        NewKameleoonImage {
            site: req.site,
            client: req.client,
            name: req.name.as_ref().unwrap_or(&source.name),
            file_name: &source.file_name,
            source: &source.source,
            alt_text: req.alt_text.as_ref().unwrap_or(&source.alt_text),
            description: req.description.as_ref().unwrap_or(&source.description),
            tags: req.tags.as_ref().unwrap_or(&source.tags),
            keywords: req.keywords.as_ref().unwrap_or(&source.keywords),
            content: &content,
            ready_for_publish,
            asset_name: req.asset_name,
        },
    )?;
    image(tx.conn, id)?.ok_or(Error::AssetNotFound)
}

fn upload(tx: &mut Tx<'_>, req: &KameleoonUpload) -> Result<Vec<KameleoonImage>, Error> {
    let mut ids = Vec::with_capacity(req.images.len());
    for new in &req.images {
        ids.push(insert(
            tx,
            NewKameleoonImage {
                site: new.site,
                client: req.client,
                name: &new.name,
                file_name: &new.file_name,
                source: UPLOAD_SOURCE,
                alt_text: &req.alt_text,
                description: &req.description,
                tags: &req.tags,
                keywords: &[],
                content: &new.content,
                // Scene7 marks uploaded files for publish by default.
                ready_for_publish: true,
                asset_name: req.asset_name,
            },
        )?);
    }
    ids.into_iter()
        .map(|id| image(tx.conn, id)?.ok_or(Error::AssetNotFound))
        .collect()
}

/// A new image (a clone's or an upload's), as [`insert`] writes it.
struct NewKameleoonImage<'a> {
    site: i64,
    client: i64,
    name: &'a str,
    file_name: &'a str,
    source: &'a str,
    alt_text: &'a str,
    description: &'a str,
    tags: &'a [String],
    keywords: &'a [String],
    content: &'a NewContent,
    ready_for_publish: bool,
    asset_name: fn(&str, i64) -> String,
}

/// Writes a new image: an IPS asset in its site's folder, named by
/// `asset_name`, and the image row naming it. Returns the image id. The
/// caller's job runs in a savepoint, so a refusal part-way leaves nothing.
fn insert(tx: &mut Tx<'_>, new: NewKameleoonImage<'_>) -> Result<i64, Error> {
    let conn = tx.conn;
    let (company_id, folder_id) = site_folder(conn, new.site)?.ok_or(Error::CompanyNotFound)?;
    let folder_id = folder_id.ok_or(Error::FolderNotFound)?;
    let id = super::counters::next_id(conn, SEQUENCE, "kameleoon_images")?;
    let asset_name = (new.asset_name)(new.name, id);
    let (asset_id, image_id) = tx.next_image_ids()?;
    let now = queries::timestamp(std::time::SystemTime::now());
    insert_image(
        conn,
        NewImageRow {
            ids: (asset_id, image_id),
            company_id,
            folder_id,
            name: &asset_name,
            content: new.content,
            ready_for_publish: new.ready_for_publish,
            actor_user_id: None,
            now: &now,
        },
    )
    .map_err(clash_as(Error::NameInUse))?;
    tx.take_image_ids();
    let list = |l: &[String]| serde_json::to_string(l).unwrap_or_else(|_| "[]".to_owned());
    conn.prepare_cached(
        "INSERT INTO kameleoon_images (id, site, asset_id, created_by, name, file_name, source, alt_text,
                                       description, tags, keywords, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        id,
        new.site,
        asset_id,
        new.client,
        new.name,
        new.file_name,
        new.source,
        new.alt_text,
        new.description,
        list(new.tags),
        list(new.keywords),
        now
    ])?;
    super::counters::set(conn, SEQUENCE, id + 1)?;
    Ok(id)
}

/// Removes every Kameleoon row (a reset, before the assets go).
pub(super) fn clear(conn: &Conn) -> Result<(), Error> {
    conn.execute_batch("DELETE FROM kameleoon_images; DELETE FROM kameleoon_sites; DELETE FROM kameleoon_clients;")?;
    Ok(())
}

/// Loads a seed's Kameleoon rows, after its companies, folders and assets.
pub(super) fn apply_seed(conn: &Conn, seed: &KameleoonSeed) -> Result<(), Error> {
    let invalid = |what: String| move |e: rusqlite::Error| seed_error(e, &what);
    for c in &seed.clients {
        conn.execute(
            "INSERT INTO kameleoon_clients (id, client_id, secret_hash) VALUES (?1, ?2, ?3)",
            params![c.id, c.client_id, c.secret_hash],
        )
        .map_err(invalid(format!("Kameleoon client {}", c.client_id)))?;
    }
    for s in &seed.sites {
        if queries::folder_id(conn, s.company_id, &s.folder)?.is_none() {
            return Err(Error::InvalidSeed(format!(
                "Kameleoon site {}: company c|{} has no folder {}",
                s.id, s.company_id, s.folder
            )));
        }
        conn.execute(
            "INSERT INTO kameleoon_sites (id, client, company_id, folder) VALUES (?1, ?2, ?3, ?4)",
            params![s.id, s.client, s.company_id, s.folder],
        )
        .map_err(invalid(format!("Kameleoon site {}", s.id)))?;
    }
    for i in &seed.images {
        conn.execute(
            "INSERT INTO kameleoon_images (id, site, asset_id, created_by, file_name, source, created_at)
             SELECT ?1, ?2, ?3, s.client, ?4, 'UPLOAD', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             FROM kameleoon_sites s WHERE s.id = ?2",
            params![i.id, i.site, i.asset_id, i.file_name],
        )
        .map_err(invalid(format!("Kameleoon image {}", i.id)))
        .and_then(|n| match n {
            1 => Ok(()),
            _ => Err(Error::InvalidSeed(format!(
                "Kameleoon image {}: no site {}",
                i.id, i.site
            ))),
        })?;
    }
    let max = seed.images.iter().map(|i| i.id).max().unwrap_or(0);
    super::counters::set(conn, SEQUENCE, seed.next_image_id.unwrap_or(max + 1).max(max + 1))
}

/// A seed row refused by a constraint, named for the seed's author (the
/// facades' seed loaders share it).
pub(super) fn seed_error(e: rusqlite::Error, what: &str) -> Error {
    if queries::is_constraint(&e) {
        Error::InvalidSeed(format!("{what} is defined twice or names something missing"))
    } else {
        Error::Sqlite(e)
    }
}
