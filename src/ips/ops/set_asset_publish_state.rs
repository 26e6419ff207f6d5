//! `setAssetPublishState`: marks an asset for publish (`MarkedForPublish`)
//! or takes the mark away (`NotMarkedForPublish`). The next publish job
//! puts marked assets on the Image Server; the mark is what `Asset`'s
//! `readyForPublish` reports.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::{asset_handle, Subject};
use crate::ips::types::HANDLE_ARRAY;
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `setAssetPublishState`: in the pre-4.0 contract (the 3.8 log adds it);
/// `contextHandleArray` from 2010-01-31 (the 4.5 list). Its page lists
/// every writer but ImagePortalAdmin (which `setAssetsPublishState`'s
/// page has).
pub static OPERATION: Operation = Operation {
    name: "setAssetPublishState",
    since: Pre40,
    users: &[
        IpsAdmin,
        IpsCompanyAdmin,
        IpsUser,
        ImagePortalContrib,
        ImagePortalContribUser,
    ],
    param: &[
        req("companyHandle", STRING),
        req("assetHandle", STRING),
        req("publishState", STRING),
        opt("contextHandleArray", of(&HANDLE_ARRAY)).since(V2010_01_31),
    ],
    aliases: &[],
    ret: &[],
    handler: handler!(set_asset_publish_state),
};

/// A Publish State value: whether it marks the asset for publish.
pub(crate) fn marked_for_publish(raw: &str) -> Result<bool, Error> {
    match raw {
        "MarkedForPublish" => Ok(true),
        "NotMarkedForPublish" => Ok(false),
        other => Err(Error::InvalidParameter(format!(
            "publishState must be MarkedForPublish or NotMarkedForPublish, not '{other}'"
        ))),
    }
}

async fn set_asset_publish_state(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let raw_asset = p.required("assetHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    // Publish contexts (Image Serving, Image Rendering, Video…) are not
    // kept: an asset has one mark, which a context list would not address.
    if p.strings("contextHandleArray").is_some_and(|c| !c.is_empty()) {
        return Err(Error::InvalidParameter(
            "'contextHandleArray' is not supported by this emulator: it keeps no publish contexts".into(),
        ));
    }
    let ready = marked_for_publish(&p.required("publishState")?)?;
    let handle = asset_handle(&raw_asset)?;
    let subject = Subject::new(company, &raw_company).asset(&raw_asset);
    let mut results = call
        .state
        .catalog
        .set_publish_state(company.0, vec![(handle, ready)], call.principal.user_id)
        .await
        .map_err(|e| subject.refusal(e))?;
    match results.pop() {
        Some(Ok(())) => Ok(Record::new()),
        Some(Err(e)) => Err(subject.refusal(e)),
        None => Err(Error::Task),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_states_are_adobes_strings() {
        assert!(marked_for_publish("MarkedForPublish").expect("valid"));
        assert!(!marked_for_publish("NotMarkedForPublish").expect("valid"));
        for bad in ["markedForPublish", "Marked", "", " MarkedForPublish"] {
            assert!(
                matches!(marked_for_publish(bad), Err(Error::InvalidParameter(_))),
                "{bad:?}"
            );
        }
    }
}
