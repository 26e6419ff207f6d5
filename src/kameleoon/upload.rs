//! `POST /images/multiple`: uploaded files become images on several of the
//! caller's sites at once. Each file is probed and stored once (the store
//! is content-addressed) through the path every upload takes (`ingest`);
//! then one catalog job writes, per file and per site, an IPS asset in the
//! site's folder naming the stored bytes and the image row naming the
//! asset. Every refusal comes before anything is stored, except the
//! catalog's own (a site's folder deleted over IPS meanwhile), after which
//! the new bytes are released again: a refused request leaves no row, no
//! used-up id and no stored file.

use super::clone::asset_name;
use super::{Caller, Error, Image, Kameleoon, Overrides};
use crate::catalog::{self, KameleoonNewImage, KameleoonUpload};
use crate::{deadline, ingest, render};

pub use crate::ingest::UploadedFile;

/// The largest file Kameleoon takes, in bytes (its `Image.size` says so).
pub const MAX_FILE_BYTES: usize = 5_242_880;
/// The most sites one request names.
pub const MAX_SITES: usize = 100;
/// The most images one request makes (files × sites), as IPS bounds its
/// arrays.
pub const MAX_IMAGES: usize = 1000;

/// An upload, as the adapter reads it from the form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Upload {
    /// The `image-to-upload` parts, in order.
    pub files: Vec<UploadedFile>,
    /// `siteIds`: each file becomes an image on each of these.
    pub site_ids: Vec<i64>,
    /// `name`; default: each file's name without its extension.
    pub name: Option<String>,
    /// `altText`.
    pub alt_text: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `tags`.
    pub tags: Option<Vec<String>>,
}

/// The formats Kameleoon accepts that the service can read (`SVG` and
/// `MVG` are vector formats it does not render).
const ACCEPTED: &[&str] = &["jpeg", "png", "gif", "webp"];

impl Upload {
    /// Refuses a request that is not well-formed (400): no file, no site, a
    /// repeated site, a file part without a file name, or too many of any.
    fn check_shape(&self) -> Result<(), Error> {
        let bad = |why: String| Err(Error::BadRequest(why));
        if self.files.is_empty() {
            return bad("the image-to-upload part is missing".into());
        }
        if self.site_ids.is_empty() || self.site_ids.len() > MAX_SITES {
            return bad(format!("siteIds must name 1 to {MAX_SITES} sites"));
        }
        if let Some(site) = self
            .site_ids
            .iter()
            .enumerate()
            .find_map(|(i, s)| self.site_ids[..i].contains(s).then_some(s))
        {
            return bad(format!("siteIds names site {site} more than once"));
        }
        if self.files.len() * self.site_ids.len() > MAX_IMAGES {
            return bad(format!("one request makes at most {MAX_IMAGES} images (files × sites)"));
        }
        if self.files.iter().any(|f| file_name(f).is_none()) {
            return bad("every image-to-upload part needs a filename".into());
        }
        Ok(())
    }

    /// Refuses text the images cannot have (422), as a clone's overrides.
    fn check_text(&self, names: &[String]) -> Result<(), Error> {
        for name in names {
            Overrides {
                name: Some(name.clone()),
                alt_text: self.alt_text.clone(),
                description: self.description.clone(),
                tags: self.tags.clone(),
                ..Overrides::default()
            }
            .check()?;
        }
        Ok(())
    }
}

/// A file part's file name: the last segment of its `filename` (browsers
/// once sent whole local paths), if not empty.
fn file_name(file: &UploadedFile) -> Option<&str> {
    let given = file.filename.as_deref()?;
    let last = given.rsplit(['/', '\\']).next().unwrap_or(given);
    (!last.is_empty()).then_some(last)
}

/// A file name without its extension (`hero.jpg` → `hero`, `.png` stays).
fn stem(file_name: &str) -> &str {
    match file_name.rfind('.') {
        Some(dot) if dot > 0 => &file_name[..dot],
        _ => file_name,
    }
}

/// Refuses a file Kameleoon would not take (422): over its size, empty, not
/// an image the service can read, or of a format outside Kameleoon's.
fn check_sizes(files: &[UploadedFile]) -> Result<(), Error> {
    for f in files {
        let name = file_name(f).unwrap_or_default();
        if f.bytes.is_empty() || f.bytes.len() > MAX_FILE_BYTES {
            return Err(Error::Unprocessable(format!(
                "'{name}' is {} bytes; an image is 1 to {MAX_FILE_BYTES} bytes",
                f.bytes.len()
            )));
        }
    }
    Ok(())
}

fn check_formats(files: &[UploadedFile], infos: &[render::ImageInfo]) -> Result<(), Error> {
    for (f, info) in files.iter().zip(infos) {
        if !ACCEPTED.contains(&info.format) {
            return Err(Error::Unprocessable(format!(
                "'{}' is a {} image; Kameleoon takes JPEG, PNG, GIF and WebP",
                file_name(f).unwrap_or_default(),
                info.format.to_uppercase()
            )));
        }
    }
    Ok(())
}

impl Kameleoon {
    /// Uploads the files as new images on each of the sites; the images
    /// come back file by file, each file's in `siteIds` order.
    pub async fn upload_images(&self, caller: &Caller, req: Upload) -> Result<Vec<Image>, Error> {
        req.check_shape()?;
        if let Some(site) = req.site_ids.iter().find(|s| !caller.owns(**s)) {
            return Err(Error::Forbidden(format!("this client has no access to site {site}")));
        }
        let file_names: Vec<String> = req
            .files
            .iter()
            .map(|f| file_name(f).unwrap_or_default().to_owned())
            .collect();
        let names: Vec<String> = match &req.name {
            Some(name) => vec![name.clone(); req.files.len()],
            None => file_names.iter().map(|f| stem(f).to_owned()).collect(),
        };
        req.check_text(&names)?;
        check_sizes(&req.files)?;
        let infos = ingest::probe(&self.state, &req.files)
            .await
            .map_err(|e| ingest_error(e, &file_names))?;
        check_formats(&req.files, &infos)?;
        let stored = ingest::store(&self.state, &req.files, infos)
            .await
            .map_err(|e| ingest_error(e, &file_names))?;
        let mut images = Vec::with_capacity(req.files.len() * req.site_ids.len());
        for ((content, name), file_name) in stored.contents.iter().zip(names).zip(file_names) {
            for &site in &req.site_ids {
                images.push(KameleoonNewImage {
                    site,
                    name: name.clone(),
                    file_name: file_name.clone(),
                    content: content.clone(),
                });
            }
        }
        let upload = KameleoonUpload {
            client: caller.client.id,
            images,
            alt_text: req.alt_text.unwrap_or_default(),
            description: req.description.unwrap_or_default(),
            tags: req.tags.unwrap_or_default(),
            asset_name,
        };
        // The files are stored: recording them is not given up for want of
        // patience ("busy" must mean nothing was done).
        let made = deadline::exempt(self.state.catalog.kameleoon_upload(upload)).await;
        stored.held.settle(&self.state, made.is_ok()).await;
        let rows = made.map_err(refusal)?;
        let base = self.base_url();
        Ok(rows.into_iter().map(|r| Image::from_row(r, base)).collect())
    }
}

fn ingest_error(e: ingest::Error, names: &[String]) -> Error {
    match e {
        ingest::Error::NotAnImage { index, error } => Error::Unprocessable(format!(
            "'{}' is not an image the service can read: {error}",
            names.get(index).map(String::as_str).unwrap_or_default()
        )),
        ingest::Error::Store(e) => Error::Internal(e.to_string()),
        ingest::Error::Task(e) => Error::from(e),
    }
}

/// The catalog's refusals of an upload, as the API answers them.
fn refusal(e: catalog::Error) -> Error {
    match e {
        catalog::Error::FolderNotFound | catalog::Error::CompanyNotFound => {
            Error::Unprocessable("a site's folder no longer exists in the catalog".into())
        }
        catalog::Error::NameInUse => {
            Error::Unprocessable("the catalog already has an asset of the name an image would get".into())
        }
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    fn file(name: Option<&str>) -> UploadedFile {
        UploadedFile {
            filename: name.map(str::to_owned),
            bytes: Bytes::from_static(b"x"),
        }
    }

    #[test]
    fn names_come_from_the_file_name() {
        assert_eq!(file_name(&file(Some("C:\\photos\\hero.JPG"))), Some("hero.JPG"));
        assert_eq!(file_name(&file(Some("a/b/c.png"))), Some("c.png"));
        assert_eq!(file_name(&file(Some("dir/"))), None);
        assert_eq!(file_name(&file(None)), None);
        assert_eq!(stem("hero.tar.gz"), "hero.tar");
        assert_eq!(stem(".png"), ".png");
        assert_eq!(stem("plain"), "plain");
    }

    #[test]
    fn shapes_are_checked() {
        let ok = Upload {
            files: vec![file(Some("a.png"))],
            site_ids: vec![1, 3],
            ..Upload::default()
        };
        assert!(ok.check_shape().is_ok());
        let bad = [
            Upload {
                files: Vec::new(),
                ..ok.clone()
            },
            Upload {
                site_ids: Vec::new(),
                ..ok.clone()
            },
            Upload {
                site_ids: vec![1, 3, 1],
                ..ok.clone()
            },
            Upload {
                site_ids: (0..101).collect(),
                ..ok.clone()
            },
            Upload {
                files: vec![file(Some("a.png")), file(None)],
                ..ok.clone()
            },
            Upload {
                files: vec![file(Some("a.png")); 11],
                site_ids: (0..100).collect(),
                ..ok.clone()
            },
        ];
        for upload in bad {
            assert!(matches!(upload.check_shape(), Err(Error::BadRequest(_))), "{upload:?}");
        }
    }

    #[test]
    fn sizes_are_kameleoons() {
        let sized = |n: usize| UploadedFile {
            filename: Some("a.png".into()),
            bytes: Bytes::from(vec![0u8; n]),
        };
        assert!(check_sizes(&[sized(1), sized(MAX_FILE_BYTES)]).is_ok());
        for n in [0, MAX_FILE_BYTES + 1] {
            assert!(matches!(check_sizes(&[sized(n)]), Err(Error::Unprocessable(_))), "{n}");
        }
    }
}
