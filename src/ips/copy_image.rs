//! `copyImage`: a new, independent image asset made from an existing one.

use std::sync::Arc;

use crate::app::AppState;
use crate::auth::Principal;
use crate::catalog::{self, Asset, CopyAsset, NewContent};
use crate::handles::{AssetHandle, CompanyHandle, FolderHandle};
use crate::{render, store};

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
pub(super) fn check_name(name: &str) -> Result<(), Error> {
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
    let lookup_error = |e: catalog::Error| match e {
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
    };

    // An empty (or blank) modifier shares the source's bytes, with no
    // decode at all; any other renders new ones first.
    let content = if req.url_modifier.trim_ascii().is_empty() {
        None
    } else {
        // A malformed modifier is refused before any lookup or pixel work.
        render::modifier::parse(&req.url_modifier).map_err(render::Error::from)?;
        let asset = state.catalog.asset(company.0, source).await.map_err(lookup_error)?;
        if asset.asset_type != "Image" {
            return Err(lookup_error(catalog::Error::NotAnImage(asset.asset_type)));
        }
        Some(render_copy(state, &asset, &req.url_modifier).await?)
    };
    let new_blob = content.as_ref().map(|(c, _)| c.content_hash.clone());
    // The pin keeps a concurrent failed copy of identical bytes from
    // releasing the blob before this copy's row names it.
    let (content, pin) = content.map_or((None, None), |(c, pin)| (Some(c), Some(pin)));
    let store = state.store.clone();
    let copy = CopyAsset {
        company_id: company.0,
        source,
        folder: folder.0.clone(),
        name: req.name.clone(),
        actor_user_id: principal.user_id,
        content,
    };
    let copied = state.catalog.copy_asset(copy, move |hash| store.contains(hash)).await;
    // Committed or not, this copy no longer needs the blob kept for it.
    drop(pin);
    if let (Err(_), Some(hash)) = (&copied, new_blob) {
        // The rendering is nobody's now: drop it unless identical bytes
        // belong to another asset.
        let store = state.store.clone();
        let released = state
            .catalog
            .release_blob(hash, move |h| {
                if let Err(e) = store.remove_unpinned(h) {
                    tracing::warn!(error = %e, "could not remove an unused rendering");
                }
            })
            .await;
        if let Err(e) = released {
            tracing::warn!(error = %e, "could not release an unused rendering");
        }
    }
    let copied = copied.map_err(lookup_error)?;
    Ok(Reply::CopyImage {
        asset_handle: copied.handle().to_string(),
    })
}

/// Renders the source with the modifier and stores the result, off the
/// async runtime and within the CPU budget.
async fn render_copy(state: &Arc<AppState>, asset: &Asset, request: &str) -> Result<(NewContent, store::Pin), Error> {
    let modifier = render::modifier::parse(&asset.commands_around(request)).map_err(render::Error::from)?;
    let permit = state.cpu.clone().acquire_owned().await.map_err(|_| Error::Task)?;
    let store = state.store.clone();
    let config = state.limits.render;
    let source_hash = asset.content_hash.clone();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let bytes = store.get(&source_hash)?;
        let rendered = render::render(&bytes, &modifier, &config)?;
        let pin = store.pin(&store::content_hash(&rendered.bytes));
        let content_hash = store.put(&rendered.bytes)?;
        let content = NewContent {
            content_hash,
            width: rendered.info.width,
            height: rendered.info.height,
            format: rendered.info.format.to_owned(),
            byte_size: rendered.bytes.len() as u64,
        };
        Ok((content, pin))
    })
    .await
    .map_err(|_| Error::Task)?
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
