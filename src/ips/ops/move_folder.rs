//! `moveFolder` (since 6.0): moves a folder, with its subfolders and
//! assets, under another folder of the same company, keeping its name.
//! Assets keep their handles. The company root cannot be moved, nor can a
//! folder be moved into itself or below itself; moving a folder to the
//! parent it already has changes nothing.

use crate::catalog;
use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::{folder_under_root, root_of};
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `moveFolder`.
pub static OPERATION: Operation = Operation {
    name: "moveFolder",
    since: V2012_02_14,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("folderHandle", STRING),
        req("destFolderHandle", STRING),
    ],
    aliases: &[],
    ret: &[req("folderHandle", STRING)],
    handler: handler!(move_folder),
};

async fn move_folder(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let root = root_of(call.state, company, &raw_company).await?;
    let path = folder_under_root(&p.required("folderHandle")?, &root, &company)?;
    let dest = folder_under_root(&p.required("destFolderHandle")?, &root, &company)?;
    if path == root {
        return Err(Error::InvalidParameter(format!(
            "Folder '{path}' is the root folder of company '{company}' and cannot be moved"
        )));
    }
    if dest.starts_with(&path) {
        return Err(Error::InvalidParameter(format!(
            "Folder '{path}' cannot be moved into itself or one of its subfolders ('{dest}')"
        )));
    }
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let new_path = format!("{dest}{name}/");
    let subject = Subject::new(company, &raw_company);
    let moved = call
        .state
        .catalog
        .move_folder(company.0, path.clone(), dest.clone(), new_path.clone())
        .await
        .map_err(|e| match e {
            catalog::Error::FolderExists => subject.folder(&new_path).refusal(e),
            other => subject.folder(&path).refusal(other),
        })?;
    if !moved {
        return Err(subject.folder(&dest).refusal(catalog::Error::FolderNotFound));
    }
    Ok(Record::new().with("folderHandle", new_path))
}
