//! `createDerivedAsset`: a new asset derived from an Image, as its page
//! and the 4.0 log allow: an `AdjustedView` or a `LayerView` holding the
//! owner's stored bytes (shared, not copied) and its own `urlModifier` and
//! `urlPostApplyModifier`, kept as given, as `setUrlModifier` keeps an
//! asset's. It stays linked to its owner: `getAssociatedAssets` lists it
//! among the owner's derived assets, and it goes when its owner is removed
//! for good ("Deleting the owner image deletes any associated derived
//! images").

use crate::catalog::NewDerived;
use crate::handles;
use crate::ips::contract::prelude::*;
use crate::ips::names::check_name;
use crate::ips::refusal::{asset_handle, folder_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `createDerivedAsset`: from 2008-01-15 (the 4.0 log adds it).
pub static OPERATION: Operation = Operation {
    name: "createDerivedAsset",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("ownerHandle", STRING),
        req("folderHandle", STRING),
        req("name", STRING),
        req("type", STRING),
        opt("urlModifier", STRING),
        opt("urlPostApplyModifier", STRING),
    ],
    aliases: &[],
    ret: &[req("assetHandle", STRING)],
    handler: handler!(create_derived_asset),
};

/// The derived types the 4.0 log allows.
const DERIVED_TYPES: &[&str] = &["AdjustedView", "LayerView"];

async fn create_derived_asset(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_owner = p.required("ownerHandle")?;
    let owner = asset_handle(&raw_owner)?;
    let folder = folder_handle(&p.required("folderHandle")?)?;
    let name = p.required("name")?;
    check_name(&name)?;
    let kind = p.required("type")?;
    let type_code = DERIVED_TYPES
        .contains(&kind.as_str())
        .then(|| handles::type_code(&kind))
        .flatten()
        .ok_or_else(|| {
            Error::InvalidParameter(format!(
                "type '{kind}' is not a derived asset type (AdjustedView or LayerView)"
            ))
        })?;
    let derived = NewDerived {
        company_id: company.0,
        owner,
        folder: folder.0.clone(),
        name: name.clone(),
        asset_type: kind,
        type_code,
        url_modifier: p.string("urlModifier").unwrap_or_default(),
        url_post_modifier: p.string("urlPostApplyModifier").unwrap_or_default(),
        actor: call.principal.user_id,
    };
    let subject = Subject::new(company, &raw_company)
        .asset(&raw_owner)
        .folder(&folder.0)
        .name(&name);
    let made = call
        .state
        .catalog
        .create_derived(derived)
        .await
        .map_err(|e| subject.refusal(e))?;
    Ok(Record::new().with("assetHandle", made.handle().to_string()))
}
