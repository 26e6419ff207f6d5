//! `createImageSet`: a new, empty image set (`ImageSet` or `SpinSet`) in a
//! folder, optionally with a thumbnail; members come with
//! `setImageSetMembers` or `updateImageSet`.

use crate::catalog::SetChange;
use crate::ips::contract::prelude::*;
use crate::ips::sets::{self, IMAGE_SET_TYPES};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `createImageSet`: in the pre-4.0 contract (the 3.8 log adds it);
/// `thumbAssetHandle` from 2010-01-31 (the 4.5 list, as for
/// `createAssetSet`).
pub static OPERATION: Operation = Operation {
    name: "createImageSet",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("folderHandle", STRING),
        req("name", STRING),
        req("type", STRING),
        opt("thumbAssetHandle", STRING).since(V2010_01_31),
    ],
    aliases: &[],
    ret: &[req("assetHandle", STRING)],
    handler: handler!(create_image_set),
};

async fn create_image_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let kind = p.required("type")?;
    let Some(&kind) = IMAGE_SET_TYPES.iter().find(|t| **t == kind) else {
        return Err(Error::InvalidParameter(format!(
            "type '{kind}' is not an image set type (ImageSet or SpinSet)"
        )));
    };
    let change = SetChange {
        thumb: sets::thumb(&p)?,
        ..SetChange::default()
    };
    sets::create(call, &p, kind, change).await
}
