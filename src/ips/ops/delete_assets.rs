//! `deleteAssets`: puts several assets in the trash, each on its own:
//! failures are listed in order and the others still go (see
//! `deleteAsset`).

use crate::ips::batch::each_asset;
use crate::ips::contract::prelude::*;
use crate::ips::types::HANDLE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `deleteAssets`.
pub static OPERATION: Operation = Operation {
    name: "deleteAssets",
    since: V2008_01_15,
    users: WRITERS,
    param: BATCH_PARAM,
    aliases: &[],
    ret: super::move_assets::BATCH_RETURN,
    handler: handler!(delete_assets),
};

/// The parameters of the operations on a list of assets: the company and
/// the assets' handles.
pub(super) const BATCH_PARAM: &[Field] = &[req("companyHandle", STRING), req("assetHandleArray", of(&HANDLE_ARRAY))];

async fn delete_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let (catalog, actor) = (&call.state.catalog, call.principal.user_id);
    let (outcome, _) = each_asset(call, p, |company, handles| {
        catalog.delete_assets(company, handles, actor)
    })
    .await?;
    Ok(outcome.into_record())
}
