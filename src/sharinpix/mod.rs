//! SharinPix's REST API (`/api/v1/…`) over the catalog: an organization's
//! albums are IPS folders of its company and its images IPS assets, so an
//! image duplicated here is an asset IPS and Image Serving see, and the
//! other way round. Tokens are HS256 JWTs signed with one of the
//! organization's secrets (`token`); what a token may do is its `admin`
//! flag or its per-album `abilities`. One file per group of endpoints:
//! `images` (read, duplicate, delete), `albums` (list, read, create,
//! duplicate, their images), `imports` (by URL), `uploads` (through an
//! album's upload form); `record` builds the
//! `Image` and `Album` the adapter writes. No HTTP here, and no reply
//! text: `rest::sharinpix` reads requests and writes replies; `infos` and
//! `metadatas`, free-form JSON objects in SharinPix, are kept as such.

mod albums;
mod images;
mod imports;
mod record;
mod token;
mod uploads;

use std::collections::HashMap;
use std::sync::Arc;

use crate::app::AppState;
use crate::catalog;

pub use albums::AlbumDuplicate;
pub use images::ImageDuplicate;
pub use imports::{Import, ImportRequest};
pub use record::{Album, Image, Urls};
pub use token::mint;
pub use uploads::{FormParams, FormUpload, Uploaded, FORM_LIFETIME};

pub use crate::ingest::UploadedFile;

/// Why a request failed, by the status SharinPix answers it with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 401, with an empty body: no token, a token no secret signed, an
    /// expired one, or one without the ability the request needs.
    #[error("{0}")]
    Unauthorized(String),
    /// 400: the request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// 404: no such image, album or import in the organization.
    #[error("{0}")]
    NotFound(String),
    /// 422: well-formed, but not something that can be done.
    #[error("{0}")]
    Unprocessable(String),
    /// 503: the service is overloaded; nothing was done.
    #[error("the service is busy; try again later")]
    Busy,
    /// 500: something failed inside; the reason is logged, not sent.
    #[error("internal error")]
    Internal(String),
}

impl From<catalog::Error> for Error {
    fn from(e: catalog::Error) -> Self {
        match e {
            catalog::Error::Busy(_) => Error::Busy,
            other => Error::Internal(other.to_string()),
        }
    }
}

/// An abilitiy a token grants on an album (`abilities.<album>.Access.<name>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ability {
    /// `see`.
    See,
    /// `image_list`.
    ImageList,
    /// `image_upload`.
    ImageUpload,
    /// `image_delete`.
    ImageDelete,
    /// `image_duplicate`.
    ImageDuplicate,
}

impl Ability {
    fn name(self) -> &'static str {
        match self {
            Ability::See => "see",
            Ability::ImageList => "image_list",
            Ability::ImageUpload => "image_upload",
            Ability::ImageDelete => "image_delete",
            Ability::ImageDuplicate => "image_duplicate",
        }
    }
}

/// A caller whose token an organization's secret signed.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The organization.
    pub org: String,
    /// The token as sent (echoed in `X-token`).
    pub token: String,
    admin: bool,
    /// Album id → the `Access` flags that are `true`.
    abilities: HashMap<String, Vec<String>>,
}

impl Caller {
    /// Whether the token grants `ability` on `album` (`admin` grants all).
    fn may(&self, album: &str, ability: Ability) -> bool {
        self.admin
            || self
                .abilities
                .get(album)
                .is_some_and(|granted| granted.iter().any(|g| g == ability.name()))
    }

    /// Refuses (401) unless the token grants one of `abilities` on `album`.
    fn require(&self, album: &str, abilities: &[Ability]) -> Result<(), Error> {
        if abilities.iter().any(|a| self.may(album, *a)) {
            Ok(())
        } else {
            let names: Vec<&str> = abilities.iter().map(|a| a.name()).collect();
            Err(Error::Unauthorized(format!(
                "the token grants none of {} on album {album}",
                names.join(", ")
            )))
        }
    }

    /// Whether the token is the organization's admin or names `album`.
    fn names(&self, album: &str) -> bool {
        self.admin || self.abilities.contains_key(album)
    }
}

/// The facade.
#[derive(Debug)]
pub struct SharinPix {
    state: Arc<AppState>,
}

impl SharinPix {
    /// The facade over `state`.
    pub fn new(state: Arc<AppState>) -> SharinPix {
        SharinPix { state }
    }

    /// `http(s)://host:port` of the service, for the URLs images carry.
    fn base_url(&self) -> &str {
        self.state.public_url()
    }
}

/// Album ids name folders: 1 to 100 characters, none of them `/`, `\`,
/// a control character or a space at either end, and not `.` or `..`.
fn check_album_id(id: &str) -> Result<(), Error> {
    let ok = !id.is_empty()
        && id != "."
        && id != ".."
        && id.chars().count() <= 100
        && id.trim() == id
        && !id.chars().any(|c| c == '/' || c == '\\' || c.is_control());
    if ok {
        Ok(())
    } else {
        Err(Error::Unprocessable(format!(
            "album id '{id}' must be 1 to 100 characters without '/', '\\', control characters or surrounding spaces"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abilities_and_album_ids() {
        let caller = Caller {
            org: "o".into(),
            token: String::new(),
            admin: false,
            abilities: HashMap::from([("A".to_owned(), vec!["image_duplicate".to_owned()])]),
        };
        assert!(caller.may("A", Ability::ImageDuplicate));
        assert!(!caller.may("A", Ability::ImageDelete) && !caller.may("B", Ability::ImageDuplicate));
        assert!(caller.require("A", &[Ability::See, Ability::ImageDuplicate]).is_ok());
        assert!(matches!(
            caller.require("B", &[Ability::See]),
            Err(Error::Unauthorized(_))
        ));
        assert!(caller.names("A") && !caller.names("B"));
        let admin = Caller { admin: true, ..caller };
        assert!(admin.may("anything", Ability::ImageDelete));
        assert!(check_album_id("00100000123BB44").is_ok() && check_album_id("new_id").is_ok());
        for bad in ["", "a/b", " a", "a\n", ".", "..", &"x".repeat(101)] {
            assert!(check_album_id(bad).is_err(), "{bad:?}");
        }
    }
}
