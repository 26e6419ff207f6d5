//! `POST /images/{imageId}/clone`: a copy of one of the caller's images,
//! on the same site or, with `siteId`, on another of the caller's. The copy
//! is a new IPS asset in the site's folder sharing the source's stored
//! bytes (the store is content-addressed, so nothing is written to it), and
//! an image row naming it; both in one catalog job, or neither.

use super::{Caller, Error, Image, Kameleoon};
use crate::catalog::{self, KameleoonClone};

/// The longest `name`, and the longest tag or keyword, in characters.
const MAX_TEXT: usize = 255;
/// The most tags, or keywords, an image holds.
const MAX_LIST: usize = 100;
/// The longest `altText` and `description`, in characters.
const MAX_LONG_TEXT: usize = 10_000;

/// What the request body changes in the copy; every field is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `name`.
    pub name: Option<String>,
    /// `siteId`: the site the copy is made on (default: the source's).
    pub site_id: Option<i64>,
    /// `altText`.
    pub alt_text: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `tags`.
    pub tags: Option<Vec<String>>,
    /// `keywords`.
    pub keywords: Option<Vec<String>>,
}

impl Overrides {
    /// Refuses values the copy cannot have (422).
    pub(super) fn check(&self) -> Result<(), Error> {
        let bad = |why: String| Err(Error::Unprocessable(why));
        if let Some(name) = &self.name {
            if name.trim().is_empty() || name.chars().count() > MAX_TEXT || name.chars().any(char::is_control) {
                return bad(format!(
                    "name must be 1 to {MAX_TEXT} characters, not blank, without control characters"
                ));
            }
        }
        for (field, text) in [("altText", &self.alt_text), ("description", &self.description)] {
            if text.as_ref().is_some_and(|t| t.chars().count() > MAX_LONG_TEXT) {
                return bad(format!("{field} is longer than {MAX_LONG_TEXT} characters"));
            }
        }
        for (field, list) in [("tags", &self.tags), ("keywords", &self.keywords)] {
            let list = list.as_deref().unwrap_or_default();
            if list.len() > MAX_LIST || list.iter().any(|t| t.is_empty() || t.chars().count() > MAX_TEXT) {
                return bad(format!(
                    "{field} holds at most {MAX_LIST} entries of 1 to {MAX_TEXT} characters"
                ));
            }
        }
        Ok(())
    }
}

/// The clone's IPS asset name: its name made safe for IPS (no `/`, `\`
/// or control characters, at most 200 bytes) and its image id, so that
/// clones of one image, which share a name, are distinct assets (and so
/// are uploads of one name).
pub(super) fn asset_name(name: &str, id: i64) -> String {
    let mut safe = String::new();
    for c in name.chars() {
        let c = if c == '/' || c == '\\' || c.is_control() {
            '_'
        } else {
            c
        };
        if safe.len() + c.len_utf8() > 200 {
            break;
        }
        safe.push(c);
    }
    format!("{safe}-{id}")
}

impl Kameleoon {
    /// Clones image `id` for the caller.
    pub async fn clone_image(&self, caller: &Caller, id: i64, overrides: Overrides) -> Result<Image, Error> {
        let source = self.owned_image(caller, id).await?;
        let site = overrides.site_id.unwrap_or(source.site);
        if !caller.owns(site) {
            return Err(Error::Forbidden(format!("this client has no access to site {site}")));
        }
        overrides.check()?;
        let req = KameleoonClone {
            source: id,
            site,
            client: caller.client.id,
            name: overrides.name,
            alt_text: overrides.alt_text,
            description: overrides.description,
            tags: overrides.tags,
            keywords: overrides.keywords,
            asset_name,
        };
        let store = self.state.store.clone();
        let row = self
            .state
            .catalog
            .kameleoon_clone(req, move |hash| store.contains(hash))
            .await
            .map_err(|e| refusal(e, id, site))?;
        Ok(Image::from_row(row, self.base_url()))
    }
}

/// The catalog's refusals of a clone, as the API answers them.
fn refusal(e: catalog::Error, id: i64, site: i64) -> Error {
    match e {
        catalog::Error::AssetNotFound => Error::NotFound(format!("no image with id {id}")),
        catalog::Error::FolderNotFound | catalog::Error::CompanyNotFound => {
            Error::Unprocessable(format!("site {site}'s folder no longer exists in the catalog"))
        }
        catalog::Error::NameInUse => Error::Unprocessable(format!(
            "the catalog already has an asset of the name site {site}'s copy would get"
        )),
        catalog::Error::NotAnImage(kind) => Error::Unprocessable(format!("image {id} is now a {kind} asset")),
        other => other.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_names_are_safe_and_distinct() {
        assert_eq!(asset_name("macbookwin1", 1002), "macbookwin1-1002");
        assert_eq!(asset_name("a/b\\c\nd", 7), "a_b_c_d-7");
        let long = "é".repeat(300);
        let made = asset_name(&long, 1);
        assert!(made.len() <= 200 + 2 && made.ends_with("-1"), "{made}");
    }

    #[test]
    fn overrides_are_checked() {
        let ok = Overrides {
            name: Some("hero".into()),
            tags: Some(vec!["a".into()]),
            ..Overrides::default()
        };
        assert!(ok.check().is_ok());
        for bad in [
            Overrides {
                name: Some(" ".into()),
                ..Overrides::default()
            },
            Overrides {
                name: Some("x".repeat(256)),
                ..Overrides::default()
            },
            Overrides {
                tags: Some(vec![String::new()]),
                ..Overrides::default()
            },
        ] {
            assert!(matches!(bad.check(), Err(Error::Unprocessable(_))), "{bad:?}");
        }
    }
}
