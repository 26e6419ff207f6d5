//! What the set operations share: the kinds of image set and what they may
//! hold, the member cap, reading a `memberArray` and a thumbnail, and
//! making a set of either kind.

use crate::catalog::{NewSet, SetChange};
use crate::handles::{self, AssetHandle};
use crate::ips::names::check_name;
use crate::ips::refusal::{asset_handle, folder_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, Call, Error};

/// The asset types `createImageSet` makes and the image set operations
/// work on: the two whose members `setImageSetMembers`' page names.
pub(crate) const IMAGE_SET_TYPES: &[&str] = &["ImageSet", "SpinSet"];

/// How a refusal names [`IMAGE_SET_TYPES`].
pub(crate) const AN_IMAGE_SET: &str = "an ImageSet or SpinSet";

/// What an image set may hold: assets with an image of their own.
pub(crate) const IMAGE_SET_MEMBERS: &[&str] = &["Image", "AdjustedView", "LayerView"];

/// Most members a set may have (the bound the service puts on every array).
pub(crate) const MAX_MEMBERS: usize = 1000;

/// The members a `memberArray` (`ImageSetMemberUpdateArray`) lists, in
/// order; `None` when it was not sent. `pageReset` must be a boolean but
/// is not kept: the page says image and spin sets force it to true.
pub(crate) fn members(p: &Params) -> Result<Option<Vec<AssetHandle>>, Error> {
    let Some(items) = p.items("memberArray") else {
        return Ok(None);
    };
    if items.len() > MAX_MEMBERS {
        return Err(Error::InvalidParameter(format!(
            "memberArray lists {} members; a set holds at most {MAX_MEMBERS}",
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        item.boolean("pageReset")?;
        out.push(asset_handle(&item.required("assetHandle")?)?);
    }
    Ok(Some(out))
}

/// The `thumbAssetHandle`, when sent.
pub(crate) fn thumb(p: &Params) -> Result<Option<AssetHandle>, Error> {
    p.string("thumbAssetHandle").map(|raw| asset_handle(&raw)).transpose()
}

/// Applies `change` to the set the request names, which must be of one of
/// `types` (`wanted` names them in the refusal).
pub(crate) async fn update(
    call: &Call<'_>,
    p: &Params,
    types: &'static [&'static str],
    wanted: &'static str,
    change: SetChange,
) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_asset = p.required("assetHandle")?;
    let handle = asset_handle(&raw_asset)?;
    call.state
        .catalog
        .update_set(company.0, handle, types, wanted, change, call.principal.user_id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).asset(&raw_asset).refusal(e))?;
    Ok(Record::new())
}

/// The asset set type.
pub(crate) const ASSET_SET_TYPES: &[&str] = &["AssetSet"];

/// How a refusal names [`ASSET_SET_TYPES`].
pub(crate) const AN_ASSET_SET: &str = "an AssetSet";

/// Makes a set of `asset_type` in the request's company, folder and name,
/// holding what `change` gives it; answers its handle.
pub(crate) async fn create(call: &Call<'_>, p: &Params, asset_type: &str, change: SetChange) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let folder = folder_handle(&p.required("folderHandle")?)?;
    let name = p.required("name")?;
    check_name(&name)?;
    let type_code = handles::type_code(asset_type)
        .ok_or_else(|| Error::InvalidParameter(format!("'{asset_type}' is not a set type")))?;
    let set = NewSet {
        company_id: company.0,
        folder: folder.0.clone(),
        name: name.clone(),
        asset_type: asset_type.to_owned(),
        type_code,
        change,
        actor: call.principal.user_id,
    };
    let subject = Subject::new(company, &raw_company).folder(&folder.0).name(&name);
    let made = call
        .state
        .catalog
        .create_set(set)
        .await
        .map_err(|e| subject.refusal(e))?;
    Ok(Record::new().with("assetHandle", made.handle().to_string()))
}
