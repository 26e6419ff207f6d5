//! `moveAssets`: several assets, each into its folder, each on its own:
//! failures (a bad handle, an asset or folder not found) are listed in
//! order and the other moves still happen.

use crate::ips::batch::Outcome;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, folder_handle, Subject};
use crate::ips::types::{ASSET_MOVE_ARRAY, ASSET_OPERATION_FAULT_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `moveAssets`.
pub static OPERATION: Operation = Operation {
    name: "moveAssets",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetMoveArray", of(&ASSET_MOVE_ARRAY)),
    ],
    aliases: &[],
    ret: BATCH_RETURN,
    handler: handler!(move_assets),
};

/// The counts and per-asset failures of a batch operation's reply.
pub(super) const BATCH_RETURN: &[Field] = &[
    req("successCount", INT),
    req("warningCount", INT),
    req("errorCount", INT),
    opt("warningDetailArray", of(&ASSET_OPERATION_FAULT_ARRAY)),
    opt("errorDetailArray", of(&ASSET_OPERATION_FAULT_ARRAY)),
];

async fn move_assets(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let moves: Vec<(String, String)> = p
        .items("assetMoveArray")
        .ok_or(Error::MissingParameter("assetMoveArray"))?
        .iter()
        .map(|m| Ok((m.required("assetHandle")?, m.required("folderHandle")?)))
        .collect::<Result<_, Error>>()?;
    // Items that cannot be parsed fail on their own, like any other item.
    let parsed: Vec<_> = moves
        .iter()
        .map(|(a, f)| Ok((asset_handle(a)?, folder_handle(f)?.0)))
        .collect();
    let valid = parsed.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
    let mut results = call
        .state
        .catalog
        .move_assets(company.0, valid, call.principal.user_id)
        .await
        .map_err(|e| Subject::new(company, &raw_company).refusal(e))?
        .into_iter();
    let mut outcome = Outcome::default();
    for ((asset, folder), parsed) in moves.iter().zip(parsed) {
        let error = match parsed {
            Err(e) => Some(e),
            Ok(_) => match results.next() {
                Some(Ok(())) => None,
                Some(Err(e)) => Some(
                    Subject::new(company, &raw_company)
                        .asset(asset)
                        .folder(folder)
                        .refusal(e),
                ),
                None => Some(Error::Task),
            },
        };
        match error {
            None => outcome.succeeded(),
            Some(e) => outcome.failed(asset, e),
        }
    }
    Ok(outcome.into_record())
}
