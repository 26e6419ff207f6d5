//! `getImageSetMembers`: an image set's members, in order, each with
//! `pageReset` true (the value image and spin sets force). A member in the
//! trash is still a member (it can be restored): it is listed with
//! `trashState` `InTrash` where `Asset` has that field, and left out
//! before, as lookups do.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::ops::get_assets::visible;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::sets::{AN_IMAGE_SET, IMAGE_SET_TYPES};
use crate::ips::types::{asset, IMAGE_SET_MEMBER_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `getImageSetMembers`: in the pre-4.0 contract (the 3.8 log adds it);
/// the field filters only in 2014-04-03's WSDL.
pub static OPERATION: Operation = Operation {
    name: "getImageSetMembers",
    since: Pre40,
    // The page's list: every reader but ImagePortalAdmin.
    users: &[
        IpsAdmin,
        IpsCompanyAdmin,
        IpsUser,
        TrialSiteAdmin,
        TrialSiteUser,
        ImagePortalUser,
        ImagePortalContrib,
        ImagePortalContribUser,
    ],
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("responseFieldArray", of(&STRING_ARRAY)).since(V2014_04_03),
        opt("excludeFieldArray", of(&STRING_ARRAY)).since(V2014_04_03),
    ],
    aliases: &[],
    ret: &[req("memberArray", of(&IMAGE_SET_MEMBER_ARRAY))],
    handler: handler!(get_image_set_members),
};

async fn get_image_set_members(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let raw_asset = p.required("assetHandle")?;
    let handle = asset_handle(&raw_asset)?;
    let members = call
        .state
        .catalog
        .set_members(company.0, handle, IMAGE_SET_TYPES, AN_IMAGE_SET)
        .await
        .map_err(|e| Subject::new(company, &raw_company).asset(&raw_asset).refusal(e))?;
    let items = members
        .iter()
        .filter(|d| visible(call.version, d))
        .map(|d| {
            Value::from(
                Record::new()
                    .with("asset", asset::asset(d))
                    .with_bool("pageReset", true),
            )
        })
        .collect();
    Ok(Record::new().with_array("memberArray", items))
}
