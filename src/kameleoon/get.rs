//! `GET /images/{imageId}`: one image of the caller's sites.

use super::{Caller, Error, Image, Kameleoon};
use crate::catalog::KameleoonImage;

impl Kameleoon {
    /// The image with this id.
    pub async fn image(&self, caller: &Caller, id: i64) -> Result<Image, Error> {
        let row = self.owned_image(caller, id).await?;
        Ok(Image::from_row(row, self.base_url()))
    }

    /// The image's row, if it exists (404) and is on one of the caller's
    /// sites (403).
    pub(super) async fn owned_image(&self, caller: &Caller, id: i64) -> Result<KameleoonImage, Error> {
        let row = self
            .state
            .catalog
            .kameleoon_image(id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no image with id {id}")))?;
        if !caller.owns(row.site) {
            return Err(Error::Forbidden(format!(
                "image {id} belongs to a site this client has no access to"
            )));
        }
        Ok(row)
    }
}
