//! `createFolder`: a new folder under an existing one. `folderPath` may be
//! full (`ApiTestCo/SpinSets/`) or relative to the company root
//! (`/SpinSets`, as Adobe's example is); no missing parents are created.

use crate::catalog;
use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::{parent, resolve_path, root_of, MAX_FOLDER_DEPTH};
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `createFolder`.
pub static OPERATION: Operation = Operation {
    name: "createFolder",
    since: Pre40,
    users: WRITERS,
    param: &[req("companyHandle", STRING), req("folderPath", STRING)],
    aliases: &[],
    ret: &[req("folderHandle", STRING)],
    handler: handler!(create_folder),
};

async fn create_folder(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_path = p.required("folderPath")?;
    let company = company_for(call.principal, &raw_company)?;
    let root = root_of(call.state, company, &raw_company).await?;
    let path = resolve_path(&raw_path, &root, &company)?;
    let depth = path[root.len()..].matches('/').count();
    if depth > MAX_FOLDER_DEPTH {
        return Err(Error::InvalidParameter(format!(
            "Invalid folder path '{raw_path}': folders nest at most {MAX_FOLDER_DEPTH} levels below the company root"
        )));
    }
    let parent = parent(&path).unwrap_or(&root).to_owned();
    call.state
        .catalog
        .create_folder(company.0, path.clone())
        .await
        .map_err(|e| {
            let subject = Subject::new(company, &raw_company);
            match e {
                // The folder's own path is new; what is missing is its parent.
                catalog::Error::FolderNotFound => subject.folder(&parent).refusal(e),
                other => subject.folder(&path).refusal(other),
            }
        })?;
    Ok(Record::new().with("folderHandle", path))
}
