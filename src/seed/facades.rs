//! The REST facades' parts of a seed: Kameleoon's clients, sites and
//! images, and SharinPix's organizations, secrets, albums and images, each
//! checked against the seed's companies and assets.

use serde::Deserialize;

use super::{company_id, stored_hash, Error};
use crate::catalog::{
    KameleoonSeed, SeedData, SeedKameleoonClient, SeedKameleoonImage, SeedKameleoonSite, SeedSharinPixAlbum,
    SeedSharinPixImage, SeedSharinPixOrg, SharinPixSeed,
};
use crate::handles::AssetHandle;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct KameleoonEntry {
    #[serde(default)]
    clients: Vec<KameleoonClientEntry>,
    #[serde(default)]
    sites: Vec<KameleoonSiteEntry>,
    #[serde(default)]
    images: Vec<KameleoonImageEntry>,
    #[serde(default)]
    next_image_id: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KameleoonClientEntry {
    /// The account id (`createdById`).
    id: i64,
    client_id: String,
    /// Plain text, hashed on load.
    #[serde(default)]
    secret: Option<String>,
    /// An argon2 PHC string (what the demo seed stores).
    #[serde(default)]
    secret_hash: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KameleoonSiteEntry {
    id: i64,
    /// The owning client's `client_id`.
    client: String,
    /// The company (handle) whose assets the site's images are.
    company: String,
    /// The folder its images, clones included, are kept in.
    folder: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct KameleoonImageEntry {
    id: i64,
    site: i64,
    /// The seeded asset it is (its handle).
    asset: String,
    /// `fileName`; default: the asset's name and its format's extension.
    #[serde(default)]
    file_name: Option<String>,
}

/// The seed's Kameleoon clients, sites and images, checked against its
/// companies and assets. Blocking (hashes plain secrets).
pub(super) fn kameleoon(entry: &KameleoonEntry, data: &SeedData) -> Result<KameleoonSeed, Error> {
    let mut seed = KameleoonSeed {
        next_image_id: entry.next_image_id,
        ..KameleoonSeed::default()
    };
    for c in &entry.clients {
        let secret_hash = stored_hash(&c.secret_hash, &c.secret, || {
            format!(
                "Kameleoon client {} needs exactly one of secret, secret_hash",
                c.client_id
            )
        })?;
        seed.clients.push(SeedKameleoonClient {
            id: c.id,
            client_id: c.client_id.clone(),
            secret_hash,
        });
    }
    for s in &entry.sites {
        let client = entry
            .clients
            .iter()
            .find(|c| c.client_id == s.client)
            .ok_or_else(|| Error::Invalid(format!("Kameleoon site {}: no client {}", s.id, s.client)))?;
        seed.sites.push(SeedKameleoonSite {
            id: s.id,
            client: client.id,
            company_id: company_id(&s.company)?,
            folder: s.folder.clone(),
        });
    }
    for i in &entry.images {
        let handle = AssetHandle::parse(&i.asset);
        let asset = data
            .assets
            .iter()
            .find(|a| handle.is_some_and(|h| h.id == a.id))
            .ok_or_else(|| Error::Invalid(format!("Kameleoon image {}: no seeded asset {}", i.id, i.asset)))?;
        let extension = match asset.format.as_str() {
            "jpeg" => "jpg",
            other => other,
        };
        seed.images.push(SeedKameleoonImage {
            id: i.id,
            site: i.site,
            asset_id: asset.id,
            file_name: i
                .file_name
                .clone()
                .unwrap_or_else(|| format!("{}.{extension}", asset.name)),
        });
    }
    Ok(seed)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct SharinPixEntry {
    #[serde(default)]
    organizations: Vec<SharinPixOrgEntry>,
    #[serde(default)]
    albums: Vec<SharinPixAlbumEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharinPixOrgEntry {
    id: String,
    /// The company (handle) whose assets its images are.
    company: String,
    /// The folder its albums' folders are in.
    folder: String,
    secrets: Vec<SharinPixSecretEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharinPixSecretEntry {
    /// The secret id, a token's `iss`.
    id: String,
    /// The secret itself: HS256 needs it to check a signature.
    secret: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharinPixAlbumEntry {
    id: String,
    organization: String,
    #[serde(default)]
    images: Vec<SharinPixImageEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharinPixImageEntry {
    id: String,
    /// The seeded asset it is (its handle), in the album's folder.
    asset: String,
    /// `filename`; default: the asset's name.
    #[serde(default)]
    filename: Option<String>,
    /// `infos` fields beyond those the stored file gives.
    #[serde(default)]
    infos: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The seed's SharinPix organizations and albums, checked against its
/// companies and assets.
pub(super) fn sharinpix(entry: &SharinPixEntry, data: &SeedData) -> Result<SharinPixSeed, Error> {
    let mut seed = SharinPixSeed::default();
    for o in &entry.organizations {
        seed.orgs.push(SeedSharinPixOrg {
            id: o.id.clone(),
            company_id: company_id(&o.company)?,
            folder: o.folder.clone(),
            secrets: o.secrets.iter().map(|s| (s.id.clone(), s.secret.clone())).collect(),
        });
    }
    for album in &entry.albums {
        let mut images = Vec::new();
        for i in &album.images {
            let handle = AssetHandle::parse(&i.asset);
            let asset = data
                .assets
                .iter()
                .find(|a| handle.is_some_and(|h| h.id == a.id))
                .ok_or_else(|| Error::Invalid(format!("SharinPix image {}: no seeded asset {}", i.id, i.asset)))?;
            images.push(SeedSharinPixImage {
                id: i.id.clone(),
                asset_id: asset.id,
                filename: i.filename.clone().unwrap_or_else(|| asset.name.clone()),
                infos: serde_json::to_string(&i.infos.clone().unwrap_or_default())?,
            });
        }
        seed.albums.push(SeedSharinPixAlbum {
            org: album.organization.clone(),
            id: album.id.clone(),
            images,
        });
    }
    Ok(seed)
}
