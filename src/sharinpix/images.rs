//! `GET images/:id`, `POST images/:id/duplicate` and `DELETE images/:id`.
//!
//! A duplicate is a new image (a new asset named by its id, in the target
//! album's folder) sharing the source's stored bytes, with the source's
//! `infos` and `metadatas` and `group_id` naming the source: one catalog
//! job. A delete puts the image's asset in the IPS trash, so IPS can still
//! restore it.

use super::record::{copied_infos, Image};
use super::{check_album_id, Ability, Caller, Error, SharinPix};
use crate::catalog::{self, AlbumTarget, SharinPixCopy, SharinPixImage};

/// What `POST images/:id/duplicate` may say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageDuplicate {
    /// `album_id`: the album the copy goes to (default: the source's).
    pub album_id: Option<String>,
}

impl SharinPix {
    /// The image's row, if the organization has it (404).
    pub(super) async fn image_row(&self, caller: &Caller, id: &str) -> Result<SharinPixImage, Error> {
        self.state
            .catalog
            .sharinpix_image(caller.org.clone(), id.to_owned())
            .await?
            .ok_or_else(|| Error::NotFound(format!("no image {id}")))
    }

    /// `GET images/:id`: needs `see` or `image_list` on its album.
    pub async fn image(&self, caller: &Caller, id: &str) -> Result<Image, Error> {
        let row = self.image_row(caller, id).await?;
        caller.require(&row.album, &[Ability::See, Ability::ImageList])?;
        Ok(Image::from_row(&row, self.base_url()))
    }

    /// `POST images/:id/duplicate`: needs `image_duplicate` on the source's
    /// album, and `image_upload` on another target album.
    pub async fn duplicate_image(&self, caller: &Caller, id: &str, req: ImageDuplicate) -> Result<Image, Error> {
        let row = self.image_row(caller, id).await?;
        caller.require(&row.album, &[Ability::ImageDuplicate])?;
        let album = req.album_id.unwrap_or_else(|| row.album.clone());
        if album != row.album {
            check_album_id(&album)?;
            caller.require(&album, &[Ability::ImageUpload])?;
        }
        let source = Image::from_row(&row, self.base_url());
        let copy = SharinPixCopy {
            source: row.id.clone(),
            infos: copied_infos(&source),
        };
        let store = self.state.store.clone();
        let mut made = self
            .state
            .catalog
            .sharinpix_duplicate(
                caller.org.clone(),
                AlbumTarget {
                    id: album,
                    must_be_new: false,
                },
                vec![copy],
                move |hash| store.contains(hash),
            )
            .await
            .map_err(|e| match e {
                catalog::Error::NameInUse => Error::Unprocessable("an asset of the copy's name already exists".into()),
                e => refusal(e, id),
            })?;
        let made = made
            .pop()
            .ok_or_else(|| Error::Internal("a duplicate made no image".into()))?;
        Ok(Image::from_row(&made, self.base_url()))
    }

    /// `DELETE images/:id`: needs `image_delete` on its album.
    pub async fn delete_image(&self, caller: &Caller, id: &str) -> Result<(), Error> {
        let row = self.image_row(caller, id).await?;
        caller.require(&row.album, &[Ability::ImageDelete])?;
        self.state
            .catalog
            .sharinpix_delete_image(caller.org.clone(), id.to_owned())
            .await
            .map_err(|e| refusal(e, id))
    }
}

/// The catalog's refusals of a write, as the API answers them.
pub(super) fn refusal(e: catalog::Error, id: &str) -> Error {
    match e {
        catalog::Error::AssetNotFound => Error::NotFound(format!("no image {id}")),
        catalog::Error::NameInUse => Error::Unprocessable("the album already exists".into()),
        catalog::Error::FolderNotFound | catalog::Error::FolderExists | catalog::Error::CompanyNotFound => {
            Error::Unprocessable("the organization's folder no longer exists in the catalog".into())
        }
        catalog::Error::BlobMissing => Error::Unprocessable(format!("image {id}'s file is no longer stored")),
        other => other.into(),
    }
}
