//! `batchSetAssetMetadata`: several groups of assets, each with its
//! updates; every asset of a group succeeds or fails on its own (all of
//! its group's updates, or none), and failures are listed in request order
//! with the asset, the field they are about (empty when about the asset)
//! and the code and reason the equivalent fault would carry.

use crate::catalog::{FieldWrite, ValueWrite};
use crate::handles::AssetHandle;
use crate::ips::contract::prelude::*;
use crate::ips::metadata::{company_fields, writes};
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::metadata::{BATCH_METADATA_UPDATE_ARRAY, SET_METADATA_FAULT_ARRAY};
use crate::ips::value::{Params, Record, Value};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `batchSetAssetMetadata`: from 2008-01-15 (the 4.0 log implements it);
/// its page lists the writers' six user types.
pub static OPERATION: Operation = Operation {
    name: "batchSetAssetMetadata",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("updateArray", of(&BATCH_METADATA_UPDATE_ARRAY)),
    ],
    aliases: &[],
    ret: &[
        req("successCount", INT),
        req("warningCount", INT),
        req("errorCount", INT),
        opt("warningDetailArray", of(&SET_METADATA_FAULT_ARRAY)),
        opt("errorDetailArray", of(&SET_METADATA_FAULT_ARRAY)),
    ],
    handler: handler!(batch_set_asset_metadata),
};

/// Most assets one call may name, over all its groups.
pub const MAX_ASSETS: usize = 1000;

/// Most values one call may write, over all its assets (an asset's share
/// is its group's values).
pub const MAX_VALUE_WRITES: usize = 100_000;

/// How many values a write stores or removes (at least one: a clear).
fn value_count(w: &FieldWrite) -> usize {
    match &w.write {
        ValueWrite::Set(v) | ValueWrite::Add(v) => v.len().max(1),
        ValueWrite::Remove(v) => v.len().max(1),
    }
}

/// One asset of a group, as sent, and what is to be done with it: its
/// writes, or why it fails (with the field handle the failure is about).
struct Item {
    asset: String,
    work: Result<(AssetHandle, Vec<FieldWrite>), (String, Error)>,
}

async fn batch_set_asset_metadata(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let groups = p.items("updateArray").ok_or(Error::MissingParameter("updateArray"))?;
    let assets: Vec<Vec<String>> = groups
        .iter()
        .map(|g| g.strings("assetHandleArray").unwrap_or_default())
        .collect();
    let total: usize = assets.iter().map(Vec::len).sum();
    let updates: usize = groups
        .iter()
        .map(|g| g.items("updateArray").map_or(0, |u| u.len()))
        .sum();
    if updates > MAX_ASSETS {
        return Err(Error::InvalidParameter(format!(
            "'updateArray' holds {updates} updates over its groups; at most {MAX_ASSETS} are accepted"
        )));
    }
    if total > MAX_ASSETS {
        return Err(Error::InvalidParameter(format!(
            "'updateArray' names {total} assets; at most {MAX_ASSETS} are accepted"
        )));
    }
    let fields = company_fields(call, company, &raw_company).await?;
    let mut items = Vec::new();
    let mut values = 0usize;
    for (group, assets) in groups.iter().zip(assets) {
        let updates = group.items("updateArray").unwrap_or_default();
        let group_writes = writes(&fields, company, &updates);
        // Each asset gets its own copy of its group's writes: bound the
        // copies, not only the request's size.
        values += assets.len() * group_writes.as_ref().map_or(0, |w| w.iter().map(value_count).sum());
        if values > MAX_VALUE_WRITES {
            return Err(Error::InvalidParameter(format!(
                "'updateArray' sets more than {MAX_VALUE_WRITES} values over all its assets"
            )));
        }
        for asset in assets {
            let work = match &group_writes {
                Err((field, e)) => Err((field.clone(), again(e))),
                Ok(w) => asset_handle(&asset)
                    .map(|h| (h, w.clone()))
                    .map_err(|e| (String::new(), e)),
            };
            items.push(Item { asset, work });
        }
    }
    let valid = items.iter().filter_map(|i| i.work.as_ref().ok().cloned()).collect();
    let subject = Subject::new(company, &raw_company);
    let mut results = call
        .state
        .catalog
        .write_asset_metadata(company.0, valid, call.principal.user_id)
        .await
        .map_err(|e| subject.refusal(e))?
        .into_iter();
    let (mut success, mut errors) = (0u32, Vec::<Value>::new());
    for item in items {
        let failure = match item.work {
            Err((field, e)) => Some((field, e)),
            Ok(_) => match results.next() {
                Some(Ok(())) => None,
                Some(Err(e)) => Some((String::new(), subject.asset(&item.asset).refusal(e))),
                None => Some((String::new(), Error::Task)),
            },
        };
        match failure {
            None => success += 1,
            Some((field, e)) => errors.push(
                Record::new()
                    .with("assetHandle", item.asset.as_str())
                    .with("fieldHandle", field.as_str())
                    .with_failure(e)
                    .into(),
            ),
        }
    }
    let count = errors.len();
    let reply = Record::new()
        .with_number("successCount", success)
        .with_number("warningCount", 0)
        .with_number("errorCount", count);
    Ok(if count == 0 {
        reply
    } else {
        reply.with_array("errorDetailArray", errors)
    })
}

/// A group's failure, once more for each of its assets: the same code and
/// reason.
fn again(e: &Error) -> Error {
    match e {
        Error::MissingParameter(name) => Error::MissingParameter(name),
        other => Error::InvalidParameter(other.to_string()),
    }
}
