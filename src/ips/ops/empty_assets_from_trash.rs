//! `emptyAssetsFromTrash`: removes assets in the trash for good, each on
//! its own: an asset that is not in the trash (a live one is never
//! removed) or not found is listed in order and the others still go. Each
//! removed asset's stored file is released once the removals have
//! committed, and leaves the store when no other asset names it.

use crate::ips::batch::each_asset;
use crate::ips::blobs;
use crate::ips::contract::prelude::*;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `emptyAssetsFromTrash`: added with the trash in 4.0 (2008-01-15).
pub static OPERATION: Operation = Operation {
    name: "emptyAssetsFromTrash",
    since: V2008_01_15,
    users: WRITERS,
    param: super::delete_assets::BATCH_PARAM,
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(empty_assets_from_trash),
};

async fn empty_assets_from_trash(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let catalog = &call.state.catalog;
    let (outcome, hashes) = each_asset(call, p, |company, handles| catalog.empty_trash(company, handles)).await?;
    // Only once the removals have committed.
    for hash in hashes {
        blobs::release(call.state, hash).await;
    }
    Ok(outcome.into_record())
}
