//! `GET albums`, `GET albums/:id`, `POST albums`, `POST albums/:id/duplicate`
//! and `GET albums/:id/images`.
//!
//! The documents' examples do these with tokens whose `abilities` are
//! empty, so any token of the organization may; an album that does not
//! exist yet is made by `GET albums/:id` when the token is an admin's or
//! names it (as an upload through the official clients needs), and is
//! otherwise 404. A duplicated album holds a duplicate of each live image
//! of the source, made in one catalog job with the album and its folder.

use super::images::refusal;
use super::record::{copied_infos, Album, Image, ALBUM_THUMBNAILS};
use super::{check_album_id, Caller, Error, SharinPix};
use crate::catalog::{AlbumTarget, SharinPixAlbum, SharinPixCopy};

/// The most images an album duplicate copies in one request.
const MAX_DUPLICATED: u64 = 1000;
/// The most albums `GET albums`, and images `GET albums/:id/images`,
/// answer (the oldest); SharinPix's paging is not documented.
pub const MAX_LISTED: u64 = 1000;

/// What `POST albums/:id/duplicate` may say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AlbumDuplicate {
    /// `destination_id`: the new album's id (default: a new UUID).
    pub destination_id: Option<String>,
    /// `tags`: accepted; images here carry no tags beyond their `infos`,
    /// which a duplicate always copies.
    pub tags: bool,
}

impl SharinPix {
    /// The album with its thumbnails and upload form, signed with
    /// `secret` (the organization's, see `sharinpix_org_secret`).
    async fn album_view(&self, album: &SharinPixAlbum, secret: Option<&str>) -> Result<Album, Error> {
        let images = self
            .state
            .catalog
            .sharinpix_album_images(album.org.clone(), album.id.clone(), ALBUM_THUMBNAILS)
            .await?;
        let params = SharinPix::form_params(secret, &album.org, &album.id);
        Ok(Album::from_rows(album, &images, params, self.base_url()))
    }

    async fn one_album_view(&self, album: &SharinPixAlbum) -> Result<Album, Error> {
        let secret = self.state.catalog.sharinpix_org_secret(album.org.clone()).await?;
        self.album_view(album, secret.as_deref()).await
    }

    async fn album_row(&self, caller: &Caller, id: &str) -> Result<Option<SharinPixAlbum>, Error> {
        Ok(self
            .state
            .catalog
            .sharinpix_album(caller.org.clone(), id.to_owned())
            .await?)
    }

    /// `GET albums`: the organization's albums, oldest first.
    pub async fn albums(&self, caller: &Caller) -> Result<Vec<Album>, Error> {
        let rows = self
            .state
            .catalog
            .sharinpix_albums(caller.org.clone(), MAX_LISTED)
            .await?;
        let secret = self.state.catalog.sharinpix_org_secret(caller.org.clone()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.album_view(row, secret.as_deref()).await?);
        }
        Ok(out)
    }

    /// `GET albums/:id`.
    pub async fn album(&self, caller: &Caller, id: &str) -> Result<Album, Error> {
        let row = match self.album_row(caller, id).await? {
            Some(row) => row,
            None if caller.names(id) => self.make_album(caller, id, false).await?,
            None => return Err(Error::NotFound(format!("no album {id}"))),
        };
        self.one_album_view(&row).await
    }

    /// `POST albums`: a new, empty album under a new UUID.
    pub async fn create_album(&self, caller: &Caller) -> Result<Album, Error> {
        let id = self.state.catalog.sharinpix_new_id().await?;
        let row = self.make_album(caller, &id, true).await?;
        self.one_album_view(&row).await
    }

    async fn make_album(&self, caller: &Caller, id: &str, must_be_new: bool) -> Result<SharinPixAlbum, Error> {
        check_album_id(id)?;
        let target = AlbumTarget {
            id: id.to_owned(),
            must_be_new,
        };
        self.state
            .catalog
            .sharinpix_create_album(caller.org.clone(), target)
            .await
            .map_err(|e| refusal(e, id))
    }

    /// `GET albums/:id/images`: its live images, oldest first.
    pub async fn album_images(&self, caller: &Caller, id: &str) -> Result<Vec<Image>, Error> {
        if self.album_row(caller, id).await?.is_none() {
            return Err(Error::NotFound(format!("no album {id}")));
        }
        let rows = self
            .state
            .catalog
            .sharinpix_album_images(caller.org.clone(), id.to_owned(), MAX_LISTED)
            .await?;
        Ok(rows.iter().map(|r| Image::from_row(r, self.base_url())).collect())
    }

    /// `POST albums/:id/duplicate`.
    pub async fn duplicate_album(&self, caller: &Caller, id: &str, req: AlbumDuplicate) -> Result<Album, Error> {
        if self.album_row(caller, id).await?.is_none() {
            return Err(Error::NotFound(format!("no album {id}")));
        }
        if let Some(d) = &req.destination_id {
            check_album_id(d)?;
        }
        let sources = self
            .state
            .catalog
            .sharinpix_album_images(caller.org.clone(), id.to_owned(), MAX_DUPLICATED + 1)
            .await?;
        if sources.len() as u64 > MAX_DUPLICATED {
            return Err(Error::Unprocessable(format!(
                "album {id} has more than {MAX_DUPLICATED} images to duplicate"
            )));
        }
        // Drawn once the request is known to be doable, so a refused one
        // uses up no id.
        let destination = match req.destination_id {
            Some(d) => d,
            None => self.state.catalog.sharinpix_new_id().await?,
        };
        let copies = sources
            .iter()
            .map(|row| SharinPixCopy {
                source: row.id.clone(),
                infos: copied_infos(&Image::from_row(row, self.base_url())),
            })
            .collect();
        let store = self.state.store.clone();
        let target = AlbumTarget {
            id: destination.clone(),
            must_be_new: true,
        };
        self.state
            .catalog
            .sharinpix_duplicate(caller.org.clone(), target, copies, move |hash| store.contains(hash))
            .await
            .map_err(|e| match e {
                // An image went to the trash while the copies were made.
                crate::catalog::Error::AssetNotFound => {
                    Error::Unprocessable(format!("an image of album {id} changed meanwhile; try again"))
                }
                e => refusal(e, id),
            })?;
        let row = self
            .album_row(caller, &destination)
            .await?
            .ok_or_else(|| Error::Internal("a duplicated album is missing".into()))?;
        self.one_album_view(&row).await
    }
}
