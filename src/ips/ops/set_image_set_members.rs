//! `setImageSetMembers`: replaces an image set's members, in the order
//! given. Every member must be a live image-bearing asset (`Image`,
//! `AdjustedView`, `LayerView`) of the company, or nothing changes.

use crate::catalog::SetChange;
use crate::ips::contract::prelude::*;
use crate::ips::sets::{self, AN_IMAGE_SET, IMAGE_SET_MEMBERS, IMAGE_SET_TYPES};
use crate::ips::types::IMAGE_SET_MEMBER_UPDATE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, WRITERS};

/// `setImageSetMembers`: in the pre-4.0 contract.
pub static OPERATION: Operation = Operation {
    name: "setImageSetMembers",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("memberArray", of(&IMAGE_SET_MEMBER_UPDATE_ARRAY)),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(set_image_set_members),
};

async fn set_image_set_members(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let change = SetChange {
        members: Some(sets::members(&p)?.ok_or(Error::MissingParameter("memberArray"))?),
        member_types: IMAGE_SET_MEMBERS,
        ..SetChange::default()
    };
    sets::update(call, &p, IMAGE_SET_TYPES, AN_IMAGE_SET, change).await
}
