//! `saveZoomTarget`: adds a zoom target to an image (last in its list), or
//! changes the one `zoomTargetHandle` names, which must be that image's.

use crate::catalog::Part;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::{handle, zoom_target, SaveTarget, MAX_PARTS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `saveZoomTarget`: from pre-4.0 (the 3.8 log adds it); its page lists
/// the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "saveZoomTarget",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("zoomTargetHandle", STRING),
        req("name", STRING),
        req("xPosition", INT),
        req("yPosition", INT),
        req("width", INT),
        req("height", INT),
        opt("userData", STRING),
    ],
    aliases: &[],
    ret: &[req("zoomTargetHandle", STRING)],
    handler: handler!(save_zoom_target),
};

async fn save_zoom_target(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let target = SaveTarget::read(call, &p, Part::ZoomTarget, "zoomTargetHandle")?;
    let def = zoom_target(&p)?;
    let id = call
        .state
        .catalog
        .save_zoom_target(
            target.company.0,
            target.asset,
            target.existing,
            def,
            MAX_PARTS as i64,
            call.principal.user_id,
        )
        .await
        .map_err(|e| target.refusal(e))?;
    Ok(Record::new().with("zoomTargetHandle", handle(Part::ZoomTarget, id)))
}
