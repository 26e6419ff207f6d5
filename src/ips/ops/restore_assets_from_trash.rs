//! `restoreAssetsFromTrash`: brings assets back from the trash into their
//! folders, under their names, each on its own: an asset that is not in
//! the trash (or not found) is listed in order and the others still come
//! back.

use crate::ips::batch::each_asset;
use crate::ips::contract::prelude::*;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `restoreAssetsFromTrash`: added with the trash in 4.0 (2008-01-15).
pub static OPERATION: Operation = Operation {
    name: "restoreAssetsFromTrash",
    since: V2008_01_15,
    users: WRITERS,
    param: super::delete_assets::BATCH_PARAM,
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(restore_assets_from_trash),
};

async fn restore_assets_from_trash(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (catalog, actor) = (&call.state.catalog, call.principal.user_id);
    let (outcome, _) = each_asset(call, p, |company, handles| {
        catalog.restore_assets(company, handles, actor)
    })
    .await?;
    Ok(outcome.into_record())
}
