//! `setZoomTargets`: replaces an image's zoom targets with the ones given,
//! in their order, and answers their new handles in that order.

use crate::catalog::Part;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::{capped, handle, refusal, zoom_target, MAX_PARTS};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::{HANDLE_ARRAY, ZOOM_TARGET_DEFINITION_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `setZoomTargets`: from 2008-01-15 (the 4.0 log adds it); the writers'
/// six user types, as for `saveZoomTarget`.
pub static OPERATION: Operation = Operation {
    name: "setZoomTargets",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("zoomTargetArray", of(&ZOOM_TARGET_DEFINITION_ARRAY)),
    ],
    aliases: &[],
    ret: &[req("zoomTargetHandleArray", of(&HANDLE_ARRAY))],
    handler: handler!(set_zoom_targets),
};

async fn set_zoom_targets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let asset = asset_handle(&raw_asset)?;
    let items = p
        .items("zoomTargetArray")
        .ok_or(Error::MissingParameter("zoomTargetArray"))?;
    let defs = capped(items, "zoomTargetArray", MAX_PARTS)?
        .iter()
        .map(zoom_target)
        .collect::<Result<_, _>>()?;
    let ids = call
        .state
        .catalog
        .set_zoom_targets(company.0, asset, defs, call.principal.user_id)
        .await
        .map_err(|e| refusal(Subject::new(company, &raw_company).asset(&raw_asset), company, "", e))?;
    let handles = ids.into_iter().map(|id| handle(Part::ZoomTarget, id).into()).collect();
    Ok(Record::new().with_array("zoomTargetHandleArray", handles))
}
