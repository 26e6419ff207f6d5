//! `updateImageSet`: replaces an image set's members when `memberArray` is
//! sent, and its thumbnail when `thumbAssetHandle` is; what is not sent
//! stays as it is. One change: a refused member or thumbnail changes
//! nothing.

use crate::catalog::SetChange;
use crate::ips::contract::prelude::*;
use crate::ips::sets::{self, AN_IMAGE_SET, IMAGE_SET_MEMBERS, IMAGE_SET_TYPES};
use crate::ips::types::IMAGE_SET_MEMBER_UPDATE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `updateImageSet`: from 2010-01-31 (the 4.5 list of operations for
/// Adobe's own applications; the 6.0 log lists it as new again). Its page
/// names no user types: those of `setImageSetMembers`.
pub static OPERATION: Operation = Operation {
    name: "updateImageSet",
    since: V2010_01_31,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("memberArray", of(&IMAGE_SET_MEMBER_UPDATE_ARRAY)),
        opt("thumbAssetHandle", STRING),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(update_image_set),
};

async fn update_image_set(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let change = SetChange {
        members: sets::members(&p)?,
        thumb: sets::thumb(&p)?,
        member_types: IMAGE_SET_MEMBERS,
        ..SetChange::default()
    };
    sets::update(call, &p, IMAGE_SET_TYPES, AN_IMAGE_SET, change).await
}
