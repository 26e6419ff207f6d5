//! `setImageMaps`: replaces an image's image maps with the ones given, in
//! their order, and answers their new handles in that order.

use crate::catalog::Part;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::{capped, handle, image_map, refusal, MAX_PARTS};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::{HANDLE_ARRAY, IMAGE_MAP_DEFINITION_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `setImageMaps`: from 2008-01-15 (the 4.0 log adds it); the writers' six
/// user types, as for `saveImageMap`.
pub static OPERATION: Operation = Operation {
    name: "setImageMaps",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("imageMapArray", of(&IMAGE_MAP_DEFINITION_ARRAY)),
    ],
    aliases: &[],
    ret: &[req("imageMapHandleArray", of(&HANDLE_ARRAY))],
    handler: handler!(set_image_maps),
};

async fn set_image_maps(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let asset = asset_handle(&raw_asset)?;
    let items = p
        .items("imageMapArray")
        .ok_or(Error::MissingParameter("imageMapArray"))?;
    let defs = capped(items, "imageMapArray", MAX_PARTS)?
        .iter()
        .map(image_map)
        .collect::<Result<_, _>>()?;
    let ids = call
        .state
        .catalog
        .set_image_maps(company.0, asset, defs, call.principal.user_id)
        .await
        .map_err(|e| refusal(Subject::new(company, &raw_company).asset(&raw_asset), company, "", e))?;
    let handles = ids.into_iter().map(|id| handle(Part::ImageMap, id).into()).collect();
    Ok(Record::new().with_array("imageMapHandleArray", handles))
}
