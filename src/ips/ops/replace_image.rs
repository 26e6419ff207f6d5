//! `replaceImage`: new image data for an asset, made by rendering its
//! current image with the request's commands (only those: the stored
//! modifiers stay on the asset and still apply when it is served), keeping
//! its handle, name and folder. An empty `urlModifier` changes nothing.
//!
//! The replacement is conditional on the bytes it rendered from: a
//! concurrent replacement in between (before the rendering, by releasing
//! the bytes it was to read; after it, by making the catalog refuse) has the
//! new image made again from what that one left, so two replacements racing
//! on one asset apply one on top of the other, never one instead of the
//! other.

use crate::catalog;
use crate::ips::blobs::{self, render_and_store, ATTEMPTS};
use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};
use crate::{deadline, render};

/// `replaceImage`.
pub static OPERATION: Operation = Operation {
    name: "replaceImage",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("urlModifier", STRING),
    ],
    // The reference page's table names the company field `companyName`.
    aliases: &[("companyName", "companyHandle")],
    ret: &[req("assetHandle", STRING)],
    handler: handler!(replace_image),
};

async fn replace_image(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let modifier = p.required("urlModifier")?;
    let company = company_for(call.principal, &raw_company)?;
    let handle = asset_handle(&raw_asset)?;
    let subject = Subject::new(company, &raw_company).asset(&raw_asset);
    let blank = modifier.trim_ascii().is_empty();
    if !blank {
        render::modifier::parse(&modifier).map_err(render::Error::from)?;
    }
    let mut attempts = 0;
    loop {
        attempts += 1;
        let asset = call
            .state
            .catalog
            .asset(company.0, handle)
            .await
            .map_err(|e| subject.refusal(e))?;
        if asset.asset_type != "Image" {
            return Err(subject.refusal(catalog::Error::NotAnImage(asset.asset_type)));
        }
        let reply = Record::new().with("assetHandle", asset.handle().to_string());
        if blank {
            return Ok(reply);
        }
        let (content, pin) = match render_and_store(call.state, &asset, modifier.clone()).await {
            Err(e) if blobs::released(&e, &asset) && attempts < ATTEMPTS => continue,
            rendered => rendered?,
        };
        let new_hash = content.content_hash.clone();
        let store = call.state.store.clone();
        // The rendering is stored: recording it is not given up for want
        // of patience ("busy" must mean nothing was done).
        let replaced = deadline::exempt(call.state.catalog.replace_content(
            company.0,
            handle,
            asset.content_hash.clone(),
            content,
            call.principal.user_id,
            move |h| store.contains(h),
        ))
        .await;
        drop(pin);
        match replaced {
            Ok(old) => {
                if old != new_hash {
                    blobs::release(call.state, old).await;
                }
                return Ok(reply);
            }
            Err(e) => {
                blobs::release(call.state, new_hash).await;
                if !(matches!(e, catalog::Error::ContentChanged) && attempts < ATTEMPTS) {
                    return Err(subject.refusal(e));
                }
            }
        }
    }
}
