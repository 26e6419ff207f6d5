//! `setUrlModifier`: stores an asset's `urlModifier` and
//! `urlPostApplyModifier` as given (an absent one is left as it is, an
//! empty one clears it). They are catalog fields that `/is/image` and
//! copies apply around a request's own commands, and are refused only then
//! if they are not commands the renderer supports, as Image Serving does.

use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation, WRITERS};

/// `setUrlModifier`.
pub static OPERATION: Operation = Operation {
    name: "setUrlModifier",
    since: V2008_01_15,
    users: WRITERS,
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        opt("urlModifier", STRING),
        opt("urlPostApplyModifier", STRING),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(set_url_modifier),
};

async fn set_url_modifier(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let handle = asset_handle(&raw_asset)?;
    call.state
        .catalog
        .set_url_modifier(
            company.0,
            handle,
            p.string("urlModifier"),
            p.string("urlPostApplyModifier"),
            call.principal.user_id,
        )
        .await
        .map_err(|e| Subject::new(company, &raw_company).asset(&raw_asset).refusal(e))?;
    Ok(Record::new())
}
