//! `cdnCacheInvalidation` (since 6.0): asks the CDN to drop its cached
//! replies for up to 1000 Image Serving URLs of the company.
//!
//! The emulator has no CDN in front of `/is/image` (it sends no cache
//! headers a CDN would keep), so a request is checked, recorded and
//! complete at once. As Adobe's page says, one URL that is not the
//! company's fails the whole request: every URL must be an `http` or
//! `https` URL whose path names the company's root ID (its name, the first
//! segment after `/is/image/` or `/is/content/`). Up to 6.6 the reply
//! counts the URLs taken; from 2014-04-03 it is a handle for
//! `getCdnCacheInvalidationStatus` and the seconds to wait, 0 here. The
//! 6.0–6.6 `confirmation` e-mails are accepted and not sent.

use crate::auth::UserType::*;
use crate::ips::contract::prelude::*;
use crate::ips::refusal::Subject;
use crate::ips::types::{EMAIL_CONFIRMATION, OPERATION_FAULT_ARRAY, URL_ARRAY};
use crate::ips::value::{Params, Record};
use crate::ips::{company_for, handler, Call, Error, Operation};

/// `cdnCacheInvalidation`: the user types its page lists.
pub static OPERATION: Operation = Operation {
    name: "cdnCacheInvalidation",
    since: V2012_02_14,
    users: &[IpsAdmin, IpsCompanyAdmin],
    param: &[
        req("companyHandle", STRING),
        opt("confirmation", of(&EMAIL_CONFIRMATION)).until(V2014_04_03),
        req("urlArray", of(&URL_ARRAY)),
    ],
    aliases: &[],
    ret: &[
        req("successCount", INT).until(V2014_04_03),
        req("warningCount", INT).until(V2014_04_03),
        req("errorCount", INT).until(V2014_04_03),
        opt("errorDetailArray", of(&OPERATION_FAULT_ARRAY)).until(V2014_04_03),
        req("invalidationHandle", STRING).since(V2014_04_03),
        req("estimatedSeconds", INT).since(V2014_04_03),
    ],
    handler: handler!(cdn_cache_invalidation),
};

async fn cdn_cache_invalidation(call: &Call<'_>, p: Params) -> Result<Record, Error> {
    let raw_company = p.required("companyHandle")?;
    let company = company_for(call.principal, &raw_company)?;
    let refusal = |e| Subject::new(company, &raw_company).refusal(e);
    let urls = p.required_strings("urlArray")?;
    let record = call.state.catalog.company(company.0).await.map_err(refusal)?;
    if let Some(bad) = urls.iter().find(|u| !names_company(u, &record.name)) {
        return Err(Error::InvalidParameter(format!(
            "'{bad}' is not an Image Serving URL of company '{company}' (root ID '{}')",
            record.name
        )));
    }
    let count = urls.len();
    let id = call
        .state
        .catalog
        .record_cdn_invalidation(company.0, call.principal.user_id, urls)
        .await
        .map_err(refusal)?;
    Ok(Record::new()
        .with_number("successCount", count)
        .with_number("warningCount", 0)
        .with_number("errorCount", 0)
        .with("invalidationHandle", handle(company.0, id))
        .with_number("estimatedSeconds", 0))
}

/// An invalidation's handle: the company's id and the request's, as
/// Adobe's page says it holds since 2019.
pub fn handle(company_id: i64, id: i64) -> String {
    format!("{company_id}|{id}")
}

/// The request id of a handle [`handle`] wrote for `company_id`; `None`
/// for any other text, another company's handle included.
pub fn request_id(raw: &str, company_id: i64) -> Option<i64> {
    let (owner, id) = raw.split_once('|')?;
    (owner.parse::<i64>().ok()? == company_id)
        .then(|| id.parse().ok())
        .flatten()
}

/// Whether `url` is an `http(s)` URL of the company's Image Serving or
/// content paths (`…/is/image/<root ID>/…`, `…/is/content/<root ID>/…`).
fn names_company(url: &str, root_id: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://")) else {
        return false;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return false;
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    !host.is_empty()
        && segments
            .windows(3)
            .any(|w| w[0] == "is" && (w[1] == "image" || w[1] == "content") && w[2] == root_id)
}

#[cfg(test)]
mod tests {
    use super::names_company;

    #[test]
    fn a_handle_reads_back_for_its_company_only() {
        assert_eq!(super::request_id(&super::handle(6, 12), 6), Some(12));
        for other in ["21|12", "6|x", "6", "", "c|6|12"] {
            assert_eq!(super::request_id(other, 6), None, "{other}");
        }
    }

    #[test]
    fn only_the_companys_serving_urls_are_taken() {
        for ok in [
            "http://s7d7.scene7.com/is/image/JJEsquire/11008047?$thumbnail$",
            "https://h/is/content/JJEsquire/doc.pdf",
            "http://127.0.0.1:8080/is/image/JJEsquire/ImageSetConfigDefaults?req=userdata",
        ] {
            assert!(names_company(ok, "JJEsquire"), "{ok}");
        }
        for bad in [
            "ftp://h/is/image/JJEsquire/a",
            "http://h/is/image/Other/a",
            "http://h/is/image/jjesquire/a",
            "http://h/images/JJEsquire/a",
            "http:///is/image/JJEsquire/a",
            "http://h/x?/is/image/JJEsquire/a",
            "JJEsquire",
        ] {
            assert!(!names_company(bad, "JJEsquire"), "{bad}");
        }
    }
}
