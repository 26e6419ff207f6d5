//! `getAssets`: the assets of `assetHandleArray`, in the order asked, each
//! once. A handle that names nothing in the company (or cannot name
//! anything) is left out, so none found is an empty `assetArray`. An asset
//! in the trash is answered with `trashState` `InTrash` in the versions
//! whose `Asset` has that field, and left out in the older ones, whose
//! clients could not tell it from a live asset.

use crate::catalog::AssetDetail;
use crate::handles::AssetHandle;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::types::{asset, ASSET_ARRAY, HANDLE_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation, EVERYONE};

/// `getAssets`.
pub static OPERATION: Operation = Operation {
    name: "getAssets",
    since: Pre40,
    users: EVERYONE,
    param: &[
        req("companyHandle", STRING),
        opt("accessUserHandle", STRING),
        opt("accessGroupHandle", STRING),
        req("assetHandleArray", of(&HANDLE_ARRAY)),
        opt("responseFieldArray", of(&STRING_ARRAY)),
        opt("excludeFieldArray", of(&STRING_ARRAY)),
    ],
    aliases: &[],
    ret: &[opt("assetArray", of(&ASSET_ARRAY))],
    handler: handler!(get_assets),
};

/// Acting as another user or group, which the emulator does not model.
pub(super) const IMPERSONATION: &[&str] = &["accessUserHandle", "accessGroupHandle"];

async fn get_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    p.refuse(IMPERSONATION)?;
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let handles = p
        .required_strings("assetHandleArray")?
        .iter()
        .filter_map(|h| AssetHandle::parse(h))
        .collect();
    let mut found = call
        .state
        .catalog
        .asset_details(company.0, handles)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?;
    found.retain(|d| visible(call.version, d));
    Ok(assets_reply(&found))
}

/// Whether a lookup in `version` answers the asset: a live one always, one
/// in the trash only where `Asset` shows its trash state.
pub(super) fn visible(version: Version, d: &AssetDetail) -> bool {
    !d.asset.in_trash || asset::shows_trash_state(version)
}

/// The reply: `assetArray`, present (possibly empty) even when nothing
/// matched, as Scene7 answers.
pub(super) fn assets_reply(found: &[AssetDetail]) -> Record {
    Record::new().with("assetArray", asset_array(found))
}

/// An `AssetArray` of `found`.
pub(super) fn asset_array(found: &[AssetDetail]) -> Value {
    Record::new()
        .with(
            "items",
            Value::List(found.iter().map(|d| asset::asset(d).into()).collect()),
        )
        .into()
}
