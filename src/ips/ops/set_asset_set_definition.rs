//! `setAssetSetDefinition`: replaces an asset set's definition, and so the
//! assets it holds (every asset its substitution functions name must be a
//! live asset of the company, or nothing changes).

use crate::ips::contract::prelude::*;
use crate::ips::ops::create_asset_set::definition_change;
use crate::ips::sets::{self, AN_ASSET_SET, ASSET_SET_TYPES};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `setAssetSetDefinition`: in no log's list (the 4.4 log's
/// `getAssetSetDefinitions` is in no contract); its page's example speaks
/// 2009-07-31, the release that added asset sets.
pub static OPERATION: Operation = Operation {
    name: "setAssetSetDefinition",
    since: V2009_07_31,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("setDefinition", STRING),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(set_asset_set_definition),
};

async fn set_asset_set_definition(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let change = definition_change(&p)?;
    sets::update(call, &p, ASSET_SET_TYPES, AN_ASSET_SET, change).await
}
