//! `GET /images`: the images of the caller's sites, a page at a time, by id.

use super::{Caller, Error, Image, Kameleoon};

/// The most images one page holds.
pub const MAX_PER_PAGE: u64 = 200;
/// A page's size when the request names none.
pub const DEFAULT_PER_PAGE: u64 = 20;

/// Which page: `page` from 1, `perPage` from 1 to [`MAX_PER_PAGE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    /// `page`, from 1.
    pub page: u64,
    /// `perPage`.
    pub per_page: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

/// One page of images and where it stands.
#[derive(Clone, Debug)]
pub struct Page {
    /// The images on it.
    pub images: Vec<Image>,
    /// The request it answers.
    pub request: PageRequest,
    /// Images on all pages.
    pub total: u64,
}

impl Page {
    /// How many pages there are (at least one, if empty).
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.request.per_page).max(1)
    }
}

impl Kameleoon {
    /// A page of the caller's images.
    pub async fn images(&self, caller: &Caller, request: PageRequest) -> Result<Page, Error> {
        if request.page == 0 {
            return Err(Error::BadRequest("page starts at 1".into()));
        }
        if !(1..=MAX_PER_PAGE).contains(&request.per_page) {
            return Err(Error::BadRequest(format!("perPage must be 1 to {MAX_PER_PAGE}")));
        }
        let offset = (request.page - 1).saturating_mul(request.per_page);
        let (total, rows) = self
            .state
            .catalog
            .kameleoon_images(caller.client.id, offset, request.per_page)
            .await?;
        let base = self.base_url();
        Ok(Page {
            images: rows.into_iter().map(|r| Image::from_row(r, base)).collect(),
            request,
            total,
        })
    }
}
