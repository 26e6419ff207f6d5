//! `saveImageMap`: adds an image map to an image, or changes the one
//! `imageMapHandle` names, which must be that image's; `position` is its
//! place in the image's list (the Z order).

use crate::catalog::Part;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::{handle, image_map, SaveTarget, MAX_PARTS};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `saveImageMap`: from pre-4.0 (the 3.8 log adds it; 4.0 adds
/// `enabled`); its page lists the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "saveImageMap",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("imageMapHandle", STRING),
        req("name", STRING),
        req("shapeType", STRING),
        req("region", STRING),
        req("action", STRING),
        req("position", INT),
        req("enabled", BOOLEAN).since(V2008_01_15),
    ],
    aliases: &[],
    ret: &[req("imageMapHandle", STRING)],
    handler: handler!(save_image_map),
};

async fn save_image_map(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let target = SaveTarget::read(call, &p, Part::ImageMap, "imageMapHandle")?;
    let def = image_map(&p)?;
    let position = p.integer("position")?.ok_or(Error::MissingParameter("position"))?;
    if position < 0 {
        return Err(Error::InvalidParameter(format!(
            "position must not be negative ({position})"
        )));
    }
    let id = call
        .state
        .catalog
        .save_image_map(
            target.company.0,
            target.asset,
            target.existing,
            def,
            Some(position),
            MAX_PARTS as i64,
            call.principal.user_id,
        )
        .await
        .map_err(|e| target.refusal(e))?;
    Ok(Record::new().with("imageMapHandle", handle(Part::ImageMap, id)))
}
