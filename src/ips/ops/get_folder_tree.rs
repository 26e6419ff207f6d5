//! `getFolderTree`: a folder (the company root if no `folderPath`) with its
//! subfolders nested `depth` levels deep: 0 is the folder alone, a negative
//! depth the whole tree. A folder whose subfolders are not listed still
//! says whether it has any.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::{subtree, Listing};
use crate::ips::types::{folder, FOLDER, PERMISSION_SET_ARRAY, STRING_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{handler, Call, Error, Operation};

/// `getFolderTree`: neither ImagePortalAdmin nor ImagePortalUser, as its
/// reference page lists.
pub static OPERATION: Operation = Operation {
    name: "getFolderTree",
    since: Pre40,
    users: &[
        IpsAdmin,
        IpsCompanyAdmin,
        IpsUser,
        TrialSiteAdmin,
        TrialSiteUser,
        ImagePortalContrib,
        ImagePortalContribUser,
    ],
    param: &[
        req("companyHandle", STRING),
        opt("accessUserHandle", STRING),
        opt("accessGroupHandle", STRING),
        opt("folderPath", STRING),
        req("depth", INT),
        opt("assetTypeArray", of(&STRING_ARRAY)),
        opt("responseFieldArray", of(&STRING_ARRAY)),
        opt("excludeFieldArray", of(&STRING_ARRAY)),
    ],
    aliases: &[],
    ret: &[
        opt("folders", of(&FOLDER)),
        opt("permissionSetArray", of(&PERMISSION_SET_ARRAY)).since(V2012_02_14),
    ],
    handler: handler!(get_folder_tree),
};

async fn get_folder_tree(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    p.refuse(super::get_folders::UNSUPPORTED)?;
    let company = p.required("companyHandle")?;
    let depth = p.integer("depth")?.ok_or(Error::MissingParameter("depth"))?;
    let rows = subtree(call.state, call.principal, &company, p.text("folderPath")).await?;
    let listing = Listing::new(&rows);
    let remaining = u32::try_from(depth).ok();
    let root = rows.first().map(|r| folder::folder(&listing.node(&r.path, remaining)));
    Ok(Record::new().with_opt("folders", root))
}
