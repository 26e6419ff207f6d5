//! Uploads through an album's `upload_form`, as SharinPix's clients do them
//! (Cloudinary's signed upload, here answered by the emulator): the client
//! posts the file with the form's `params` to `upload_form.url`, gets a
//! Cloudinary-style description of the stored file, and hands it to
//! `POST albums/:id/images` (`cloudinary` plus `metadatas`), which makes
//! the image. The form's `signature` is an HMAC of the organization and
//! album under the organization's secret, so only a form the emulator
//! handed out is taken; the stored file waits, named by its `public_id`,
//! until an image is made of it (a reset drops it).

use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::record::{format_name, Image};
use super::{check_album_id, Ability, Caller, Error, SharinPix};
use crate::auth::jwt;
use crate::catalog::{NewImageSource, SharinPixNewImage, SharinPixUpload};
use crate::ingest::{self, UploadedFile};

/// How long an upload form is good for, in seconds (`expires_at`).
pub const FORM_LIFETIME: u64 = 3600;

/// What an album's `upload_form.params` hold that the upload checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormParams {
    /// `api_key`: the organization.
    pub api_key: String,
    /// `timestamp`: when the form was made (seconds since the epoch).
    pub timestamp: u64,
    /// `signature`: the HMAC binding organization, album and timestamp.
    pub signature: String,
}

/// A file posted to an upload form.
#[derive(Clone, Debug, Default)]
pub struct FormUpload {
    /// `api_key`.
    pub api_key: Option<String>,
    /// `signature`.
    pub signature: Option<String>,
    /// `timestamp`.
    pub timestamp: Option<String>,
    /// The `file` part.
    pub file: Option<UploadedFile>,
}

/// The stored file, as Cloudinary describes an upload.
#[derive(Clone, Debug, PartialEq)]
pub struct Uploaded {
    /// `public_id`, `format`, `width`, `height`, `bytes`, … as a JSON object.
    pub fields: Map<String, Value>,
}

/// The form's signature. `/` cannot be in an album id, so the signed text
/// names one organization, album and time only.
fn signature(secret: &str, org: &str, album: &str, timestamp: u64) -> String {
    jwt::hmac_sha256(
        secret.as_bytes(),
        format!("upload/{org}/{album}/{timestamp}").as_bytes(),
    )
    .iter()
    .map(|b| format!("{b:02x}"))
    .collect()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl SharinPix {
    /// The upload form's checked params for an album, signed with the
    /// organization's first secret.
    pub(super) fn form_params(secret: Option<&str>, org: &str, album: &str) -> Option<FormParams> {
        let timestamp = now_secs();
        secret.map(|secret| FormParams {
            api_key: org.to_owned(),
            timestamp,
            signature: signature(secret, org, album, timestamp),
        })
    }

    /// A file posted to album `album`'s upload form: checked against the
    /// form's signature (401), probed (422 if not an image), stored, and
    /// recorded as waiting for its image.
    pub async fn receive_upload(&self, album: &str, form: FormUpload) -> Result<Uploaded, Error> {
        let org = form
            .api_key
            .ok_or_else(|| Error::Unauthorized("api_key is missing".into()))?;
        let given = form
            .signature
            .ok_or_else(|| Error::Unauthorized("signature is missing".into()))?;
        let timestamp: u64 = form
            .timestamp
            .and_then(|t| t.trim().parse().ok())
            .ok_or_else(|| Error::Unauthorized("timestamp is missing".into()))?;
        let now = now_secs();
        if timestamp.saturating_add(FORM_LIFETIME) < now || timestamp > now + 60 {
            return Err(Error::Unauthorized("the upload form has expired".into()));
        }
        let secret = self.state.catalog.sharinpix_org_secret(org.clone()).await?;
        let expected = secret.map(|s| signature(&s, &org, album, timestamp));
        let signed = expected.is_some_and(|e| bool::from(e.as_bytes().ct_eq(given.as_bytes())));
        if !signed {
            return Err(Error::Unauthorized("the upload form's signature does not match".into()));
        }
        if self
            .state
            .catalog
            .sharinpix_album(org.clone(), album.to_owned())
            .await?
            .is_none()
        {
            return Err(Error::NotFound(format!("no album {album}")));
        }
        let file = form
            .file
            .ok_or_else(|| Error::BadRequest("the file part is missing".into()))?;
        let name = file.filename.clone().unwrap_or_else(|| "file".to_owned());
        let files = [file];
        let infos = ingest::probe(&self.state, &files).await.map_err(refused)?;
        let mut stored = ingest::store(&self.state, &files, infos).await.map_err(refused)?;
        let content = stored
            .contents
            .pop()
            .ok_or_else(|| Error::Internal("nothing was stored".into()))?;
        let recorded = self
            .state
            .catalog
            .sharinpix_record_upload(org, album.to_owned(), content, name)
            .await;
        stored.held.settle(&self.state, recorded.is_ok()).await;
        let upload = recorded.map_err(|e| super::images::refusal(e, album))?;
        Ok(Uploaded {
            fields: described(&upload),
        })
    }

    /// `POST albums/:id/images`: the image made of an uploaded file; needs
    /// `image_upload` on the album.
    pub async fn add_uploaded(
        &self,
        caller: &Caller,
        album: &str,
        cloudinary: Map<String, Value>,
        metadatas: Map<String, Value>,
    ) -> Result<Image, Error> {
        check_album_id(album)?;
        caller.require(album, &[Ability::ImageUpload])?;
        let public_id = match cloudinary.get("public_id") {
            Some(Value::String(id)) => id.clone(),
            _ => return Err(Error::BadRequest("cloudinary[public_id] is required".into())),
        };
        let unknown = || Error::Unprocessable(format!("no uploaded file {public_id} waits for an image"));
        let upload = self
            .state
            .catalog
            .sharinpix_upload(caller.org.clone(), public_id.clone())
            .await?
            .ok_or_else(unknown)?;
        if upload.album != album {
            return Err(Error::Unprocessable(format!(
                "file {public_id} was uploaded to album {}",
                upload.album
            )));
        }
        let new = SharinPixNewImage {
            org: caller.org.clone(),
            album: album.to_owned(),
            filename: upload.original_filename.clone(),
            infos: Value::Object(cloudinary).to_string(),
            metadatas: Value::Object(metadatas).to_string(),
            source: NewImageSource::Upload(public_id.clone()),
            import: None,
        };
        let made = self.state.catalog.sharinpix_add_image(new).await.map_err(|e| match e {
            // Another request made the image of it meanwhile.
            crate::catalog::Error::AssetNotFound => unknown(),
            e => super::images::refusal(e, &public_id),
        })?;
        Ok(Image::from_row(&made, self.base_url()))
    }
}

fn refused(e: ingest::Error) -> Error {
    match e {
        ingest::Error::NotAnImage { error, .. } => Error::Unprocessable(format!("not an acceptable image: {error}")),
        ingest::Error::Store(e) => Error::Internal(e.to_string()),
        ingest::Error::Task(e) => Error::Internal(e.to_string()),
    }
}

/// An uploaded file as Cloudinary's upload reply describes it.
fn described(u: &SharinPixUpload) -> Map<String, Value> {
    let c = &u.content;
    let format = format_name(Some(&c.format));
    let mut m = Map::new();
    m.insert("public_id".into(), u.public_id.clone().into());
    m.insert("version".into(), 1.into());
    m.insert("width".into(), c.width.into());
    m.insert("height".into(), c.height.into());
    m.insert("format".into(), format.into());
    m.insert("resource_type".into(), "image".into());
    m.insert("created_at".into(), u.created_at.clone().into());
    m.insert("tags".into(), Value::Array(vec![u.album.clone().into()]));
    m.insert("bytes".into(), c.byte_size.into());
    m.insert("type".into(), "authenticated".into());
    m.insert(
        "etag".into(),
        c.content_hash.chars().take(32).collect::<String>().into(),
    );
    m.insert("original_filename".into(), u.original_filename.clone().into());
    m
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signatures_bind_organization_album_and_time() {
        let s = signature("k", "org", "album", 1);
        assert_eq!(s.len(), 64);
        assert_ne!(s, signature("k", "org", "other", 1));
        assert_ne!(s, signature("k", "org", "album", 2));
        assert_ne!(s, signature("other", "org", "album", 1));
        assert_ne!(signature("k", "o", "a:b", 1), signature("k", "o:a", "b", 1));
    }
}
