//! `renameFolder`: gives a folder a new last path segment; its subfolders
//! and assets move with it (assets keep their handles). The company root
//! cannot be renamed.

use crate::catalog;
use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::{about, folder_under_root, parent, root_of};
use crate::ips::names::check_segment;
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `renameFolder`.
pub static OPERATION: Operation = Operation {
    name: "renameFolder",
    since: Pre40,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("folderHandle", STRING),
        req("folderName", STRING),
    ],
    aliases: &[],
    ret: &[req("folderHandle", STRING)],
    handler: handler!(rename_folder),
};

async fn rename_folder(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let name = p.required("folderName")?;
    let company = company_for(call.principal, &raw_company)?;
    let root = root_of(call.state, company, &raw_company).await?;
    let path = folder_under_root(&p.required("folderHandle")?, &root, &company)?;
    check_segment(&name).map_err(|e| about("Invalid folderName", e))?;
    if path == root {
        return Err(Error::InvalidParameter(format!(
            "Folder '{path}' is the root folder of company '{company}' and cannot be renamed"
        )));
    }
    let new_path = format!("{}{name}/", parent(&path).unwrap_or(&root));
    call.state
        .catalog
        .rename_folder(company.0, path.clone(), new_path.clone())
        .await
        .map_err(|e| {
            let subject = Subject::new(company, &raw_company);
            match e {
                catalog::Error::FolderExists => subject.folder(&new_path).refusal(e),
                other => subject.folder(&path).refusal(other),
            }
        })?;
    Ok(Record::new().with("folderHandle", new_path))
}
