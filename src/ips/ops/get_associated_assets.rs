//! `getAssociatedAssets`: the assets related to one asset — the sets that
//! hold it (`containerArray`), its members when it is a set
//! (`memberArray`), the Image it is derived from (`ownerArray`) and the
//! assets derived from it (`derivedArray`), and a set's thumbnail
//! (`thumbAsset`: the one chosen, else its first member with an image of
//! its own, as the set pages describe). The four arrays are always sent,
//! empty when there is nothing; `layerReferenceArray`, `generatorArray`
//! and `generatedArray` are empty, since the emulator makes no templates
//! and generates nothing from files. The asset may be in the trash; an
//! associated asset in the trash is listed as lookups list it.

use crate::catalog::{AssetDetail, Associated};
use crate::ips::contract::prelude::*;
use crate::ips::ops::get_assets::{asset_array, visible};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::{asset, ASSET, ASSET_ARRAY, GENERATION_INFO_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, EVERYONE};

/// `getAssociatedAssets`: from 2008-01-15 (the 4.0 log implements it, with
/// `getGenerationInfo`); `thumbAsset` from 2010-01-31, when sets gained
/// thumbnails (the 4.5 list).
pub static OPERATION: Operation = Operation {
    name: "getAssociatedAssets",
    since: V2008_01_15,
    users: EVERYONE,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("responseFieldArray", of(&STRING_ARRAY)),
        opt("excludeFieldArray", of(&STRING_ARRAY)),
    ],
    aliases: &[],
    ret: &[
        opt("containerArray", of(&ASSET_ARRAY)),
        opt("memberArray", of(&ASSET_ARRAY)),
        opt("layerReferenceArray", of(&ASSET_ARRAY)),
        opt("ownerArray", of(&ASSET_ARRAY)),
        opt("derivedArray", of(&ASSET_ARRAY)),
        opt("generatorArray", of(&GENERATION_INFO_ARRAY)),
        opt("generatedArray", of(&GENERATION_INFO_ARRAY)),
        opt("thumbAsset", of(&ASSET)).since(V2010_01_31),
    ],
    handler: handler!(get_associated_assets),
};

async fn get_associated_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_asset = p.required("assetHandle")?;
    let handle = asset_handle(&raw_asset)?;
    let found = call
        .state
        .catalog
        .associated(company.0, handle)
        .await
        .map_err(|e| Subject::new(company, &raw_company).asset(&raw_asset).refusal(e))?;
    Ok(reply(found, call.version))
}

fn reply(found: Associated, version: Version) -> Record {
    let shown =
        |list: Vec<AssetDetail>| -> Vec<AssetDetail> { list.into_iter().filter(|d| visible(version, d)).collect() };
    let members = shown(found.members);
    let thumb = found
        .thumb
        .or_else(|| {
            members
                .iter()
                .find(|d| crate::catalog::THUMB_TYPES.contains(&d.asset.asset_type.as_str()))
                .cloned()
        })
        .filter(|d| visible(version, d));
    Record::new()
        .with("containerArray", asset_array(&shown(found.containers)))
        .with("memberArray", asset_array(&members))
        .with_array("layerReferenceArray", Vec::new())
        .with("ownerArray", asset_array(&shown(found.owners)))
        .with("derivedArray", asset_array(&shown(found.derived)))
        .with_array("generatorArray", Vec::new())
        .with_array("generatedArray", Vec::new())
        .with_opt("thumbAsset", thumb.as_ref().map(asset::asset))
}
