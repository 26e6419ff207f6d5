//! Loading a seed (the demo catalog, or the user's own) into an empty catalog.
//!
//! A seed is a directory with `seed.json` and the image files it names. The
//! demo seed in `fixtures/seed/` is compiled into the binary, so `serve`
//! works from any directory. Loading is all or nothing: blobs are written
//! (and pinned) first, then every row in one transaction; if that fails, the
//! blobs this load added are removed again. [`reset`] loads a seed the same
//! way over a catalog that already has content, replacing all of it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

mod facades;
mod property_sets;

use crate::catalog::{
    self, Catalog, MetadataField, SeedAsset, SeedCompany, SeedData, SeedUser, ASSET_TYPES, FIELD_TYPES,
};
use crate::handles::{AssetHandle, CompanyHandle, FolderHandle, IMAGE_TYPE_CODE};
use crate::render::{self, ImageLimits};
use crate::store::{self, Store};
use crate::{auth, auth::UserType};

/// Seed loading failures.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A seed file could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// Which file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// `seed.json` is not valid.
    #[error("seed.json: {0}")]
    Json(#[from] serde_json::Error),
    /// The seed contradicts itself.
    #[error("invalid seed: {0}")]
    Invalid(String),
    /// A seed image is unusable.
    #[error("seed image {file}: {source}")]
    Image {
        /// Which file.
        file: String,
        /// Why.
        #[source]
        source: render::Error,
    },
    /// Writing blobs failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// Writing rows failed.
    #[error(transparent)]
    Catalog(#[from] catalog::Error),
    /// Hashing or background work failed.
    #[error("background task failed")]
    Task,
}

/// Where a seed comes from.
#[derive(Clone, Debug)]
pub enum SeedSource {
    /// The demo seed compiled into the binary.
    Embedded,
    /// A seed directory.
    Dir(PathBuf),
}

/// The demo seed's `seed.json`.
pub const EMBEDDED_JSON: &str = include_str!("../../fixtures/seed/seed.json");
/// The demo seed's files, by the path `seed.json` uses.
const EMBEDDED_FILES: &[(&str, &[u8])] = &[
    (
        "images/macbookwin1.jpg",
        include_bytes!("../../fixtures/seed/images/macbookwin1.jpg"),
    ),
    (
        "images/otherco-photo.png",
        include_bytes!("../../fixtures/seed/images/otherco-photo.png"),
    ),
    (
        "images/sharinpix-photo.jpg",
        include_bytes!("../../fixtures/seed/images/sharinpix-photo.jpg"),
    ),
    (
        "images/sharinpix-super-1.png",
        include_bytes!("../../fixtures/seed/images/sharinpix-super-1.png"),
    ),
    (
        "images/sharinpix-super-2.png",
        include_bytes!("../../fixtures/seed/images/sharinpix-super-2.png"),
    ),
    (
        "images/sharinpix-super-3.png",
        include_bytes!("../../fixtures/seed/images/sharinpix-super-3.png"),
    ),
    (
        "images/sharinpix-super-4.png",
        include_bytes!("../../fixtures/seed/images/sharinpix-super-4.png"),
    ),
    (
        "images/sharinpix-super-5.png",
        include_bytes!("../../fixtures/seed/images/sharinpix-super-5.png"),
    ),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default)]
    next_asset_id: Option<i64>,
    #[serde(default)]
    next_image_id: Option<i64>,
    companies: Vec<CompanyEntry>,
    users: Vec<UserEntry>,
    #[serde(default)]
    assets: Vec<AssetEntry>,
    /// Kameleoon's Automation API: clients, sites, images.
    #[serde(default)]
    kameleoon: facades::KameleoonEntry,
    /// SharinPix's API: organizations, secrets, albums, images.
    #[serde(default)]
    sharinpix: facades::SharinPixEntry,
    /// Property set types, a company's or global.
    #[serde(default)]
    property_set_types: Vec<property_sets::TypeEntry>,
    /// Property sets owned by seeded companies.
    #[serde(default)]
    property_sets: Vec<property_sets::SetEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompanyEntry {
    handle: String,
    name: String,
    /// Defaults to the name without spaces, plus `/`, as IPS derives it.
    #[serde(default)]
    root_path: Option<String>,
    /// When the company's account expires (`Company/expires`), in the
    /// catalog's time format; none: it never does.
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    folders: Vec<String>,
    /// Metadata fields, as `createMetadataField` defines them.
    #[serde(default)]
    metadata_fields: Vec<FieldEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldEntry {
    /// An asset type, or `Asset` for every type.
    asset_type: String,
    name: String,
    field_type: String,
    #[serde(default)]
    default_value: String,
    #[serde(default)]
    hidden: bool,
    #[serde(default)]
    enforced: bool,
    #[serde(default)]
    initial_tag_value: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserEntry {
    email: String,
    /// Plain text, hashed on load (handy for a user's own seed).
    #[serde(default)]
    password: Option<String>,
    /// An argon2 PHC string (what the demo seed stores).
    #[serde(default)]
    password_hash: Option<String>,
    user_type: String,
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    companies: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssetEntry {
    handle: String,
    company: String,
    folder: String,
    name: String,
    file: String,
    /// Image Serving commands applied before a request's own
    /// (`catalog::Modifier`).
    #[serde(default)]
    url_modifier: String,
    /// Image Serving commands applied after a request's own
    /// (`catalog::PostModifier`).
    #[serde(default)]
    url_post_modifier: String,
}

/// Whether a seed was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The catalog was empty and now holds the seed.
    Applied,
    /// The catalog already had content; nothing was changed.
    KeptExisting,
}

impl SeedSource {
    fn json(&self) -> Result<String, Error> {
        match self {
            SeedSource::Embedded => Ok(EMBEDDED_JSON.to_owned()),
            SeedSource::Dir(dir) => read(&dir.join("seed.json"))
                .and_then(|b| String::from_utf8(b).map_err(|_| Error::Invalid("seed.json is not UTF-8".into()))),
        }
    }

    fn file(&self, rel: &str) -> Result<Vec<u8>, Error> {
        if rel.starts_with('/') || rel.split('/').any(|s| s == "..") {
            return Err(Error::Invalid(format!(
                "file {rel} must be a relative path inside the seed"
            )));
        }
        match self {
            SeedSource::Embedded => EMBEDDED_FILES
                .iter()
                .find(|(name, _)| *name == rel)
                .map(|(_, bytes)| bytes.to_vec())
                .ok_or_else(|| Error::Invalid(format!("the embedded seed has no file {rel}"))),
            SeedSource::Dir(dir) => read(&dir.join(rel)),
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}

/// Applies `source` if the catalog is empty.
pub async fn apply(
    source: &SeedSource,
    catalog: &Catalog,
    store: &Store,
    limits: ImageLimits,
) -> Result<Outcome, Error> {
    if !catalog.is_empty().await? {
        return Ok(Outcome::KeptExisting);
    }
    let file: SeedFile = serde_json::from_str(&source.json()?)?;
    let built = build_off_runtime(file, source, store, limits).await?;
    let applied = catalog.apply_seed(built.data).await;
    drop(built.pins);
    match applied {
        Ok(true) => Ok(Outcome::Applied),
        // Another instance seeded the shared catalog meanwhile; its rows
        // name the same bytes.
        Ok(false) => Ok(Outcome::KeptExisting),
        Err(e) => {
            let store = store.clone();
            let added = built.added;
            let _ = crate::cpu::offload(move || remove_blobs(&store, &added)).await;
            Err(e.into())
        }
    }
}

fn remove_blobs(store: &Store, hashes: &[String]) {
    for hash in hashes {
        // Unpinned only: identical bytes may be a rendering about to be
        // named by a copy.
        if let Err(e) = store.remove_unpinned(hash) {
            tracing::warn!(error = %e, "could not remove a blob of a failed seed");
        }
    }
}

/// A seed ready to insert, its blobs stored.
struct Built {
    data: SeedData,
    /// Blobs this load added to the store.
    added: Vec<String>,
    /// Pins on every seed blob, so no sweep or release removes one before
    /// the rows naming it are committed.
    pins: Vec<store::Pin>,
}

async fn build_off_runtime(
    file: SeedFile,
    source: &SeedSource,
    store: &Store,
    limits: ImageLimits,
) -> Result<Built, Error> {
    let source = source.clone();
    let store = store.clone();
    crate::cpu::offload(move || build(&file, &source, &store, limits))
        .await
        .map_err(|_| Error::Task)?
}

/// Validates the seed, hashes passwords, probes and stores images. Blocking.
fn build(file: &SeedFile, source: &SeedSource, store: &Store, limits: ImageLimits) -> Result<Built, Error> {
    let mut added = Vec::new();
    let mut pins = Vec::new();
    match build_inner(file, source, store, limits, &mut added, &mut pins) {
        Ok(data) => Ok(Built { data, added, pins }),
        Err(e) => {
            drop(pins);
            remove_blobs(store, &added);
            Err(e)
        }
    }
}

pub(super) fn company_id(handle: &str) -> Result<i64, Error> {
    CompanyHandle::parse(handle)
        .map(|c| c.0)
        .ok_or_else(|| Error::Invalid(format!("bad company handle {handle}")))
}

fn build_inner(
    file: &SeedFile,
    source: &SeedSource,
    store: &Store,
    limits: ImageLimits,
    added: &mut Vec<String>,
    pins: &mut Vec<store::Pin>,
) -> Result<SeedData, Error> {
    let mut data = SeedData {
        next_asset_id: file.next_asset_id,
        next_image_id: file.next_image_id,
        ..SeedData::default()
    };
    for c in &file.companies {
        let root_path = c
            .root_path
            .clone()
            .unwrap_or_else(|| format!("{}/", c.name.replace(' ', "")));
        let folders = c
            .folders
            .iter()
            .map(|f| {
                FolderHandle::parse(f)
                    .map(|h| h.0)
                    .ok_or_else(|| Error::Invalid(format!("bad folder {f}")))
            })
            .collect::<Result<_, _>>()?;
        if let Some(bad) = c.expires.as_deref().filter(|e| !crate::clock::is_utc_millis(e)) {
            return Err(Error::Invalid(format!(
                "company {}: expires '{bad}' is not a time like 2100-12-31T23:59:59.000Z",
                c.name
            )));
        }
        data.companies.push(SeedCompany {
            id: company_id(&c.handle)?,
            name: c.name.clone(),
            root_path,
            expires: c.expires.clone(),
            folders,
            metadata_fields: c.metadata_fields.iter().map(field).collect::<Result<_, _>>()?,
        });
    }
    for u in &file.users {
        u.user_type
            .parse::<UserType>()
            .map_err(|e| Error::Invalid(format!("user {}: {e}", u.email)))?;
        let password_hash = stored_hash(&u.password_hash, &u.password, || {
            format!("user {} needs exactly one of password, password_hash", u.email)
        })?;
        let companies = u.companies.iter().map(|c| company_id(c)).collect::<Result<_, _>>()?;
        data.users.push(SeedUser {
            email: u.email.clone(),
            password_hash,
            user_type: u.user_type.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            companies,
        });
    }
    for a in &file.assets {
        let handle =
            AssetHandle::parse(&a.handle).ok_or_else(|| Error::Invalid(format!("bad asset handle {}", a.handle)))?;
        let image_id = match handle.typed {
            Some((IMAGE_TYPE_CODE, record)) => record,
            _ => {
                return Err(Error::Invalid(format!(
                    "asset {} needs a long image handle a|<id>|1|<imageId>",
                    a.handle
                )))
            }
        };
        let folder =
            FolderHandle::parse(&a.folder).ok_or_else(|| Error::Invalid(format!("bad folder {}", a.folder)))?;
        let bytes = source.file(&a.file)?;
        let info = render::probe(&bytes, limits).map_err(|source| Error::Image {
            file: a.file.clone(),
            source,
        })?;
        let hash = store::content_hash(&bytes);
        // Pinned before `put`, as the store requires, so that bytes already
        // there when `put` looks are still there when the row is written.
        pins.push(store.pin(&hash));
        let existed = store.contains(&hash);
        let content_hash = store.put(&bytes)?;
        if !existed {
            added.push(content_hash.clone());
        }
        data.assets.push(SeedAsset {
            id: handle.id,
            image_id,
            company_id: company_id(&a.company)?,
            folder: folder.0,
            name: a.name.clone(),
            width: info.width,
            height: info.height,
            format: info.format.to_owned(),
            byte_size: bytes.len() as u64,
            content_hash,
            url_modifier: a.url_modifier.clone(),
            url_post_modifier: a.url_post_modifier.clone(),
        });
    }
    data.kameleoon = facades::kameleoon(&file.kameleoon, &data)?;
    data.sharinpix = facades::sharinpix(&file.sharinpix, &data)?;
    data.property_sets = property_sets::property_sets(&file.property_set_types, &file.property_sets, &data)?;
    Ok(data)
}

/// A password or secret as stored: the hash given, or the plain text
/// hashed; exactly one of them must be given. Blocking.
pub(super) fn stored_hash(
    hash: &Option<String>,
    plain: &Option<String>,
    neither: impl FnOnce() -> String,
) -> Result<String, Error> {
    match (hash, plain) {
        (Some(hash), None) => Ok(hash.clone()),
        (None, Some(plain)) => auth::hash_password(plain).map_err(|_| Error::Task),
        _ => Err(Error::Invalid(neither())),
    }
}

/// Opens nothing, checks everything: used by tests to prove the embedded
/// seed and the `fixtures/seed` directory agree.
pub fn embedded_file_names() -> impl Iterator<Item = &'static str> {
    EMBEDDED_FILES.iter().map(|(name, _)| *name)
}

/// What [`reset`] loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restored {
    /// Companies in the seed.
    pub companies: usize,
    /// Users in the seed.
    pub users: usize,
    /// Assets in the seed.
    pub assets: usize,
}

/// Replaces the catalog's whole content with `source`'s, whatever it held:
/// the seed is read again (a seed directory as it is now), its blobs stored
/// and pinned, then one catalog job empties every table and loads the rows.
/// If that job fails the catalog is left as it was. Blobs the old content
/// named are left for the caller to sweep.
pub async fn reset(
    source: &SeedSource,
    catalog: &Catalog,
    store: &Store,
    limits: ImageLimits,
) -> Result<Restored, Error> {
    let file: SeedFile = serde_json::from_str(&source.json()?)?;
    let built = build_off_runtime(file, source, store, limits).await?;
    let restored = Restored {
        companies: built.data.companies.len(),
        users: built.data.users.len(),
        assets: built.data.assets.len(),
    };
    // On failure the blobs this added are unnamed; the caller's sweep takes
    // them once the pins are gone.
    let result = catalog.reset(built.data).await;
    drop(built.pins);
    result?;
    Ok(restored)
}

/// A seeded metadata field, its types checked against the API's names.
fn field(f: &FieldEntry) -> Result<MetadataField, Error> {
    let known = |list: &[&str], v: &str| list.iter().find(|t| t.eq_ignore_ascii_case(v)).map(|t| (*t).to_owned());
    let bad = |what: &str| Error::Invalid(format!("metadata field {}: unknown {what}", f.name));
    Ok(MetadataField {
        id: 0,
        company_id: 0,
        asset_type: known(ASSET_TYPES, &f.asset_type).ok_or_else(|| bad("asset_type"))?,
        name: f.name.clone(),
        field_type: known(FIELD_TYPES, &f.field_type).ok_or_else(|| bad("field_type"))?,
        default_value: f.default_value.clone(),
        hidden: f.hidden,
        enforced: f.enforced,
        initial_tag_value: f.initial_tag_value.clone(),
    })
}
