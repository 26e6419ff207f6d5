//! `getFolders`: a folder (the company root if no `folderPath`) and every
//! folder below it, as a flat list sorted by path.

use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::{subtree, Listing};
use crate::ips::types::{folder, FOLDER_ARRAY, PERMISSION_SET_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation, EVERYONE};

/// `getFolders`.
pub static OPERATION: Operation = Operation {
    name: "getFolders",
    since: Pre40,
    users: EVERYONE,
    param: &[
        req("companyHandle", STRING),
        opt("accessUserHandle", STRING),
        opt("accessGroupHandle", STRING),
        opt("folderPath", STRING),
        opt("assetTypeArray", of(&STRING_ARRAY)),
        opt("responseFieldArray", of(&STRING_ARRAY)),
        opt("excludeFieldArray", of(&STRING_ARRAY)),
    ],
    aliases: &[],
    ret: &[
        opt("folderArray", of(&FOLDER_ARRAY)),
        opt("permissionSetArray", of(&PERMISSION_SET_ARRAY)).since(V2012_02_14),
    ],
    handler: handler!(get_folders),
};

/// Parameters of the folder listings that the emulator does not model:
/// acting as another user or group, and filtering folders by the types of
/// the assets they hold.
pub(super) const UNSUPPORTED: &[&str] = &["accessUserHandle", "accessGroupHandle", "assetTypeArray"];

async fn get_folders(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    p.refuse(UNSUPPORTED)?;
    let company = p.required("companyHandle")?;
    let rows = subtree(call.state, call.principal, &company, p.text("folderPath")).await?;
    let listing = Listing::new(&rows);
    let items = rows
        .iter()
        .map(|r| folder::folder(&listing.node(&r.path, Some(0))).into())
        .collect();
    Ok(Record::new().with_array("folderArray", items))
}
