//! Plain row types the catalog hands out and takes in.

use crate::handles::AssetHandle;

/// A user as authentication needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRecord {
    /// Row id.
    pub id: i64,
    /// Login e-mail, as stored.
    pub email: String,
    /// PHC-format argon2 hash.
    pub password_hash: String,
    /// The IPS user type name (`IpsUser`, …), as stored.
    pub user_type: String,
    /// Ids of the companies the user belongs to.
    pub companies: Vec<i64>,
}

/// An asset row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asset {
    /// Asset id (first number of the handle).
    pub id: i64,
    /// Type code (second number of the long handle; 1 = Image).
    pub type_code: i64,
    /// Per-type record id (third number of the long handle).
    pub type_record_id: i64,
    /// IPS asset type name (`Image`, …).
    pub asset_type: String,
    /// Owning company id.
    pub company_id: i64,
    /// Full folder path, ending in `/`.
    pub folder: String,
    /// Asset name (IPS "Asset ID").
    pub name: String,
    /// Pixel width, for images.
    pub width: Option<u32>,
    /// Pixel height, for images.
    pub height: Option<u32>,
    /// Stored format (`jpeg`, `png`, …), for images.
    pub format: Option<String>,
    /// Size of the stored bytes.
    pub byte_size: u64,
    /// Key of the stored bytes in the blob store.
    pub content_hash: String,
    /// Image Serving commands applied before a request's own.
    pub url_modifier: String,
    /// Image Serving commands applied after (overriding) a request's own.
    pub url_post_modifier: String,
    /// In the trash (`deleteAsset`): still named and stored, until the
    /// trash is emptied or the asset restored.
    pub in_trash: bool,
}

impl Asset {
    /// The asset's handle in the long 2008-01-15 form.
    pub fn handle(&self) -> AssetHandle {
        AssetHandle::long(self.id, self.type_code, self.type_record_id)
    }
}

/// An asset with what `getAssets` and `searchAssets` report beyond the row:
/// who made and last changed it, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetDetail {
    /// The row.
    pub asset: Asset,
    /// Creation time, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub created: String,
    /// Login of the user who made it (empty for seeded assets).
    pub create_user: String,
    /// Last change, same format.
    pub modified: String,
    /// Login of the last user to change it (the creator until someone does).
    pub modify_user: String,
    /// The owning company's name (the first path element of its Image
    /// Serving URLs).
    pub company: String,
    /// Whether it is marked for publish.
    pub ready_for_publish: bool,
    /// Its metadata values (and the defaults of fields it has none for).
    pub metadata: Vec<super::MetadataValue>,
    /// Its image fields, thumbnail, zoom targets and image maps.
    pub image: super::ImageExtras,
    /// What a set asset holds beyond its row; `None` for other assets.
    pub set: Option<SetInfo>,
}

/// A set's own fields (`Asset/subType`, `AssetSetInfo/setDefinition`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetInfo {
    /// An AssetSet's `subType`; empty for image sets.
    pub sub_type: String,
    /// An AssetSet's `setDefinition`; `None` for image sets.
    pub definition: Option<String>,
}

/// What `Catalog::copy_asset` needs to know.
#[derive(Clone, Debug)]
pub struct CopyAsset {
    /// Company the copy is made in (and the source must belong to).
    pub company_id: i64,
    /// The source asset.
    pub source: AssetHandle,
    /// Destination folder path, ending in `/`.
    pub folder: String,
    /// Name of the new asset.
    pub name: String,
    /// The user making the copy.
    pub actor_user_id: i64,
    /// New bytes for the copy (a rendering); `None` shares the source's.
    pub content: Option<NewContent>,
}

/// Bytes already in the store that a new asset will name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContent {
    /// Blob key.
    pub content_hash: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Format name (`jpeg`, `png`, …).
    pub format: String,
    /// Byte size.
    pub byte_size: u64,
}

/// A whole catalog to load into an empty database (the demo seed).
#[derive(Clone, Debug, Default)]
pub struct SeedData {
    /// Companies with their folders.
    pub companies: Vec<SeedCompany>,
    /// Users with their memberships.
    pub users: Vec<SeedUser>,
    /// Image assets whose bytes are already in the store.
    pub assets: Vec<SeedAsset>,
    /// First asset id to mint (defaults to one past the largest seeded id).
    pub next_asset_id: Option<i64>,
    /// First image record id to mint (likewise).
    pub next_image_id: Option<i64>,
    /// Kameleoon's clients, sites and images over those assets.
    pub kameleoon: super::KameleoonSeed,
    /// SharinPix's organizations, albums and images over those assets.
    pub sharinpix: super::SharinPixSeed,
    /// Property set types and sets.
    pub property_sets: super::PropertySetSeed,
}

/// A seeded company.
#[derive(Clone, Debug)]
pub struct SeedCompany {
    /// Company id (`c|<id>`).
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Root folder path, ending in `/`.
    pub root_path: String,
    /// When the company's account expires (`xsd:dateTime`), if ever.
    pub expires: Option<String>,
    /// Further folder paths, each ending in `/` and under the root.
    pub folders: Vec<String>,
    /// Its metadata fields (their `id` and `company_id` are ignored).
    pub metadata_fields: Vec<super::MetadataField>,
}

/// A seeded user.
#[derive(Clone, Debug)]
pub struct SeedUser {
    /// Login e-mail.
    pub email: String,
    /// PHC-format argon2 hash.
    pub password_hash: String,
    /// IPS user type name.
    pub user_type: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Member company ids.
    pub companies: Vec<i64>,
}

/// A seeded image asset.
#[derive(Clone, Debug)]
pub struct SeedAsset {
    /// Handle fields: asset id, image record id.
    pub id: i64,
    /// Per-type record id.
    pub image_id: i64,
    /// Owning company id.
    pub company_id: i64,
    /// Folder path.
    pub folder: String,
    /// Asset name.
    pub name: String,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Format name.
    pub format: String,
    /// Byte size.
    pub byte_size: u64,
    /// Blob key.
    pub content_hash: String,
    /// Stored modifier (`catalog::Modifier`), usually empty.
    pub url_modifier: String,
    /// Stored post-modifier (`catalog::PostModifier`), usually empty.
    pub url_post_modifier: String,
}

/// What `Catalog::upload_assets` needs to know: one upload servlet request.
#[derive(Clone, Debug)]
pub struct UploadAssets {
    /// Company the files go to.
    pub company_id: i64,
    /// The job the request starts or continues.
    pub job: UploadJobRef,
    /// `endJob`: no request may continue the job after this one.
    pub end_job: bool,
    /// The user uploading.
    pub actor_user_id: i64,
    /// The files, in request order, their bytes already in the store.
    pub files: Vec<UploadTarget>,
}

/// The upload job a request belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadJobRef {
    /// A new job (`jobName`), with its `uploadParams`.
    Start {
        /// The job name.
        name: String,
        /// What its `uploadParams` say; kept with the job.
        options: UploadOptions,
    },
    /// An existing job (`jobHandle`): its parameters are the stored ones.
    Continue {
        /// The job id.
        id: i64,
        /// The job name the handle carries; it must match.
        name: String,
    },
    /// A running job of another kind (an `UploadUrlsJob`) recording a file.
    Within {
        /// The job id.
        id: i64,
        /// The job's upload options.
        options: UploadOptions,
    },
}

/// The `uploadParams` (`UploadPostJob`) options an upload job acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UploadOptions {
    /// `overwrite`: a file may replace the bytes of the asset of its name.
    pub overwrite: bool,
    /// `readyForPublish`: new and overwritten assets are marked for publish.
    pub ready_for_publish: bool,
    /// `preservePublishState`: an overwritten asset keeps its own mark.
    pub preserve_publish_state: bool,
}

/// Where one uploaded file goes.
#[derive(Clone, Debug)]
pub struct UploadTarget {
    /// Folder path, ending in `/`: either a full path starting with the
    /// company's root, or a path under the root (empty for the root).
    pub folder: String,
    /// Asset name.
    pub name: String,
    /// The stored bytes.
    pub content: NewContent,
}

/// What an upload request did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadOutcome {
    /// The job's id.
    pub job_id: i64,
    /// The job's name.
    pub job_name: String,
    /// Each file's asset as it now is (new, or overwritten in place).
    pub assets: Vec<Asset>,
    /// Blobs overwritten assets named before; some other asset may still.
    pub replaced_blobs: Vec<String>,
}

/// Why the catalog refused an upload request (nothing of it was written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadRefusal {
    /// An asset of that name exists and the job does not overwrite (or it
    /// is not an image): the name asked for.
    NameInUse(String),
    /// The company has no such folder: the full path.
    FolderNotFound(String),
    /// No job with that id and name in the company.
    JobNotFound,
    /// The job was ended by an earlier request's `endJob`.
    JobEnded,
}
