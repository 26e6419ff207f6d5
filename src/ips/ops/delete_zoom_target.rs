//! `deleteZoomTarget`: removes a zoom target of one of the company's
//! images (not one in the trash).

use crate::catalog::Part;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::delete_part;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `deleteZoomTarget`: from pre-4.0 (the 3.8 log adds it); its page lists
/// the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "deleteZoomTarget",
    since: Pre40,
    users: WRITERS,
    param: &[req("companyHandle", STRING), req("zoomTargetHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_zoom_target),
};

async fn delete_zoom_target(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    delete_part(call, p, Part::ZoomTarget, "zoomTargetHandle").await
}
