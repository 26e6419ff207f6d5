//! `createAssetSet`: a new generic asset set (`AssetSet`) with a client's
//! `subType` and, optionally, its `setDefinition` (whose substitution
//! functions must name assets of the company) and thumbnail.

use crate::catalog::SetChange;
use crate::ips::contract::prelude::*;
use crate::ips::set_definition;
use crate::ips::sets;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `createAssetSet`: from 2009-07-31 (the 4.4 log adds it);
/// `thumbAssetHandle` from 2010-01-31 (the 4.5 list).
pub static OPERATION: Operation = Operation {
    name: "createAssetSet",
    since: V2009_07_31,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("folderHandle", STRING),
        req("name", STRING),
        req("subType", STRING),
        opt("setDefinition", STRING),
        opt("thumbAssetHandle", STRING).since(V2010_01_31),
    ],
    aliases: &[],
    ret: &[req("assetHandle", STRING)],
    handler: handler!(create_asset_set),
};

async fn create_asset_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let mut change = definition_change(&p)?;
    change.sub_type = Some(p.required("subType")?);
    change.thumb = sets::thumb(&p)?;
    sets::create(call, &p, "AssetSet", change).await
}

/// The definition a request sends, with the members it names; nothing
/// when it sends none.
pub(super) fn definition_change(p: &Params) -> Result<SetChange, Error> {
    let Some(definition) = p.string("setDefinition") else {
        return Ok(SetChange::default());
    };
    Ok(SetChange {
        members: Some(set_definition::referenced(&definition)?),
        definition: Some(definition),
        ..SetChange::default()
    })
}
