//! `deleteImageMap`: removes an image map of one of the company's images
//! (not one in the trash).

use crate::catalog::Part;
use crate::ips::contract::prelude::*;
use crate::ips::image_fields::delete_part;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `deleteImageMap`: from pre-4.0 (the 3.8 log adds it); its page lists
/// the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "deleteImageMap",
    since: Pre40,
    users: WRITERS,
    param: &[req("companyHandle", STRING), req("imageMapHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_image_map),
};

async fn delete_image_map(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    delete_part(call, p, Part::ImageMap, "imageMapHandle").await
}
