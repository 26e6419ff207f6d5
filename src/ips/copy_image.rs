//! `copyImage`: a new, independent image asset made from an existing one.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;
use crate::catalog::{self, CopyAsset};
use crate::handles::{AssetHandle, CompanyHandle, FolderHandle};

use super::{Error, Reply};

/// `copyImageParam`, with values exactly as sent (never trimmed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopyImage {
    /// `companyHandle` (or its documented alias `companyName`).
    pub company: String,
    /// `assetHandle` of the source image.
    pub asset: String,
    /// `folderHandle` of the destination folder.
    pub folder: String,
    /// `name` of the new asset.
    pub name: String,
    /// `urlModifier`: Image Serving commands to bake into the copy.
    pub url_modifier: String,
}

/// Longest asset name accepted, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// IPS names are file-name-like: non-empty, bounded, no path separators and
/// no control characters (which no IPS client could display or type).
fn check_name(name: &str) -> Result<(), Error> {
    let reason = if name.is_empty() {
        "name must not be empty".to_owned()
    } else if name.len() > MAX_NAME_BYTES {
        format!(
            "name is {} bytes long; at most {MAX_NAME_BYTES} are allowed",
            name.len()
        )
    } else if name.contains(['/', '\\']) {
        format!("name '{name}' must not contain '/' or '\\'")
    } else if name.chars().any(char::is_control) {
        "name must not contain control characters".to_owned()
    } else {
        return Ok(());
    };
    Err(Error::InvalidParameter(reason))
}

pub(super) async fn execute(
    state: &Arc<AppState>,
    principal: &Principal,
    company: CompanyHandle,
    req: CopyImage,
) -> Result<Reply, Error> {
    let source = AssetHandle::parse(&req.asset)
        .ok_or_else(|| Error::InvalidParameter(format!("Invalid asset handle '{}'", req.asset)))?;
    let folder = FolderHandle::parse(&req.folder)
        .ok_or_else(|| Error::InvalidParameter(format!("Invalid folder handle '{}'", req.folder)))?;
    check_name(&req.name)?;
    if !req.url_modifier.is_empty() {
        // Never a silent unmodified copy: a regression test would pass on the
        // wrong image.
        return Err(Error::InvalidParameter(format!(
            "urlModifier '{}' cannot be applied: this emulator does not render Image Serving commands yet",
            req.url_modifier
        )));
    }
    let store = state.store.clone();
    let copy = CopyAsset {
        company_id: company.0,
        source,
        folder: folder.0.clone(),
        name: req.name.clone(),
        actor_user_id: principal.user_id,
    };
    let copied = state
        .catalog
        .copy_asset(copy, move |hash| store.contains(hash))
        .await
        .map_err(|e| match e {
            catalog::Error::CompanyNotFound => Error::InvalidCompany(req.company.clone()),
            catalog::Error::AssetNotFound => {
                Error::InvalidParameter(format!("Asset '{}' was not found in company '{company}'", req.asset))
            }
            catalog::Error::NotAnImage(kind) => {
                Error::InvalidParameter(format!("Asset '{}' is a {kind} asset, not an Image", req.asset))
            }
            catalog::Error::FolderNotFound => {
                Error::InvalidParameter(format!("Folder '{}' was not found in company '{company}'", folder))
            }
            catalog::Error::NameInUse => Error::NameInUse(req.name.clone()),
            other => Error::Catalog(other),
        })?;
    Ok(Reply::CopyImage {
        asset_handle: copied.handle().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        for ok in [
            "Copy_macbookwin1",
            "with space",
            "ünïcödé",
            "x'); DROP TABLE assets;--",
            &"n".repeat(255),
        ] {
            assert!(check_name(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "a/b",
            "a\\b",
            "tab\there",
            "nul\0",
            &"n".repeat(256),
            &"€".repeat(86),
        ] {
            assert!(matches!(check_name(bad), Err(Error::InvalidParameter(_))), "{bad:?}");
        }
    }
}
