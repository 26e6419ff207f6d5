//! `updateAssetSet`: replaces an asset set's definition (and so its
//! assets) when `setDefinition` is sent, and its thumbnail when
//! `thumbAssetHandle` is; what is not sent stays as it is.

use crate::ips::contract::prelude::*;
use crate::ips::ops::create_asset_set::definition_change;
use crate::ips::sets::{self, AN_ASSET_SET, ASSET_SET_TYPES};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `updateAssetSet`: from 2010-01-31 (the 4.5 list; the 6.0 log lists it
/// as new again). Its page names no user types: those of
/// `setAssetSetDefinition`.
pub static OPERATION: Operation = Operation {
    name: "updateAssetSet",
    since: V2010_01_31,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("setDefinition", STRING),
        opt("thumbAssetHandle", STRING),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(update_asset_set),
};

async fn update_asset_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let mut change = definition_change(&p)?;
    change.thumb = sets::thumb(&p)?;
    sets::update(call, &p, ASSET_SET_TYPES, AN_ASSET_SET, change).await
}
