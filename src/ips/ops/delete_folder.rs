//! `deleteFolder`: a folder, every folder below it and every asset in them,
//! in one transaction; the stored files no asset names any more are
//! released once it has committed. The company root cannot be deleted.

use crate::ips::blobs;
use crate::ips::contract::prelude::*;
use crate::ips::folder_tree::{folder_under_root, root_of};
use crate::ips::refusal::Subject;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `deleteFolder`.
pub static OPERATION: Operation = Operation {
    name: "deleteFolder",
    since: Pre40,
    users: WRITERS,
    param: &[req("companyHandle", STRING), req("folderHandle", STRING)],
    aliases: &[],
    ret: &[],
    handler: handler!(delete_folder),
};

async fn delete_folder(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let root = root_of(call.state, company, &raw_company).await?;
    let path = folder_under_root(&p.required("folderHandle")?, &root, &company)?;
    if path == root {
        return Err(Error::InvalidParameter(format!(
            "Folder '{path}' is the root folder of company '{company}' and cannot be deleted"
        )));
    }
    let hashes = call
        .state
        .catalog
        .delete_folder(company.0, path.clone())
        .await
        .map_err(|e| Subject::new(company, &raw_company).folder(&path).refusal(e))?;
    for hash in hashes {
        blobs::release(call.state, hash).await;
    }
    Ok(Record::new())
}
