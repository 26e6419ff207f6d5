//! `copyImage`: a new, independent image asset made from an existing one,
//! with the request's Image Serving commands baked into its bytes.
//!
//! An empty (or blank) `urlModifier` shares the source's stored file, with
//! no decode at all; any other renders new bytes first, which stay pinned
//! until the new row commits (or are released if it is refused).

use crate::catalog::{self, CopyAsset};
use crate::handles::CompanyHandle;
use crate::ips::blobs::{self, commands_around, render_and_store, ATTEMPTS};
use crate::ips::contract::prelude::*;
use crate::ips::names::check_name;
use crate::ips::refusal::{asset_handle, folder_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};
use crate::{deadline, render};

/// `copyImage`.
pub static OPERATION: Operation = Operation {
    name: "copyImage",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("folderHandle", STRING),
        req("name", STRING),
        req("urlModifier", STRING),
    ],
    // The reference page's table names the company field `companyName`.
    aliases: &[("companyName", "companyHandle")],
    ret: &[req("assetHandle", STRING)],
    handler: handler!(copy_image),
};

async fn copy_image(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_asset = p.required("assetHandle")?;
    let source = asset_handle(&raw_asset)?;
    let folder = folder_handle(&p.required("folderHandle")?)?;
    let name = p.required("name")?;
    let modifier = p.required("urlModifier")?;
    check_name(&name)?;
    let subject = Subject::new(company, &raw_company)
        .asset(&raw_asset)
        .folder(&folder.0)
        .name(&name);

    let content = if modifier.trim_ascii().is_empty() {
        None
    } else {
        // A malformed modifier is refused before any lookup or pixel work.
        render::modifier::parse(&modifier).map_err(render::Error::from)?;
        Some(render_copy(call, company, source, &modifier, subject).await?)
    };
    let new_blob = content.as_ref().map(|(c, _)| c.content_hash.clone());
    let (content, pin) = content.map_or((None, None), |(c, pin)| (Some(c), Some(pin)));
    let store = call.state.store.clone();
    let copy = CopyAsset {
        company_id: company.0,
        source,
        folder: folder.0.clone(),
        name: name.clone(),
        actor_user_id: call.principal.user_id,
        content,
    };
    let copying = call.state.catalog.copy_asset(copy, move |hash| store.contains(hash));
    // Once a rendering is stored, recording it is not given up for want
    // of patience: "busy" must mean nothing was done.
    let copied = if new_blob.is_some() {
        deadline::exempt(copying).await
    } else {
        copying.await
    };
    // Committed or not, this copy no longer needs the blob kept for it.
    drop(pin);
    if let (Err(_), Some(hash)) = (&copied, new_blob) {
        // The rendering is nobody's now: drop it unless identical bytes
        // belong to another asset.
        blobs::release(call.state, hash).await;
    }
    let copied = copied.map_err(|e| subject.refusal(e))?;
    Ok(Record::new().with("assetHandle", copied.handle().to_string()))
}

/// Renders the source with the asset's stored modifiers around the
/// request's commands, and stores the result; read again if a concurrent
/// replacement released the source's bytes in between.
async fn render_copy(
    call: &Call<'_>,
    company: CompanyHandle,
    source: crate::handles::AssetHandle,
    modifier: &str,
    subject: Subject<'_>,
) -> Result<(catalog::NewContent, crate::store::Pin), Error> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let asset = call
            .state
            .catalog
            .asset(company.0, source)
            .await
            .map_err(|e| subject.refusal(e))?;
        if asset.asset_type != "Image" {
            return Err(subject.refusal(catalog::Error::NotAnImage(asset.asset_type)));
        }
        let commands = commands_around(&asset, modifier);
        match render_and_store(call.state, &asset, commands).await {
            Err(e) if blobs::released(&e, &asset) && attempts < ATTEMPTS => continue,
            rendered => return rendered,
        }
    }
}
