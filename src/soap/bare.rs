//! The other framing: `POST /scene7/api/IpsApiService` with a bare
//! `<Request>` document holding an `authHeader` and one `…Param` element,
//! no SOAP envelope, as AEM's Dynamic Media code and the extensions built
//! on it send:
//!
//! ```text
//! <Request xmlns="http://www.scene7.com/IpsApi/xsd/2017-10-29-beta">
//!   <authHeader>…</authHeader>
//!   <getCompanyInfoParam>…</getCompanyInfoParam>
//! </Request>
//! ```
//!
//! The reply is the bare `…Return` element, or the bare fault element as
//! the upload servlet answers faults, with HTTP 500 unless the header's
//! `faultHttpStatusCode` says otherwise (those clients set 200). The
//! operation, its version, authentication, limits and the reply's shape are
//! exactly the SOAP endpoint's; the version is the `…Param` element's
//! namespace's, which need not be the `Request` element's.

use std::sync::Arc;

use super::fault::Fault;
use super::versions::is_ips_namespace;
use super::xml::Element;
use super::{bounded, decode_text, dispatch, envelope, writer, xml, Context, Error, SoapRequest, SoapResponse};
use crate::app::AppState;
use crate::auth::Credentials;

/// `Content-Type` of every reply.
pub(super) const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Handles one bare request. Never fails: every error becomes a fault.
pub async fn handle_bare(state: &Arc<AppState>, mut req: SoapRequest) -> SoapResponse {
    let mut ctx = Context::default();
    let (status, body, fault) = match process(state, &mut req, &mut ctx).await {
        Ok((ns, node)) => (200, writer::document(&ns, &node), None),
        Err(e) => {
            let fault = Fault::from_error(&e);
            if fault.is_client() {
                tracing::debug!(error = %e, "request refused");
            }
            let status = fault.http_status(ctx.options.fault_status);
            (status, fault.to_bare_xml(), Some(fault))
        }
    };
    SoapResponse {
        status,
        content_type: CONTENT_TYPE,
        body: body.into_bytes(),
        gzip_response: ctx.options.gzip_response,
        operation: ctx.operation,
        fault_code: fault.as_ref().and_then(Fault::code),
        fault_kind: fault.as_ref().map(Fault::kind),
        version: ctx.version,
        namespace: ctx.namespace,
        user: ctx.user,
        injected: ctx.injected,
    }
}

/// The `Request` document's two parts.
struct Parts<'e> {
    auth: Option<&'e Element>,
    param: &'e Element,
}

/// `Request` (in an IPS namespace) holding at most one `authHeader` and
/// exactly one other element, the request.
fn parts(root: &Element) -> Result<Parts<'_>, Error> {
    let is_request = root.name == "Request" && root.ns.as_deref().is_some_and(is_ips_namespace);
    if !is_request {
        return Err(Error::Malformed(format!(
            "the body must be a Request element in an IPS API namespace, not {}",
            bounded(&root.qname())
        )));
    }
    if !envelope::is_blank(&root.text) {
        return Err(Error::Malformed("text directly inside the Request".into()));
    }
    let is_auth = |e: &&Element| e.name == "authHeader" && e.ns.as_deref().is_some_and(is_ips_namespace);
    let mut auth = root.children.iter().filter(is_auth);
    let mut params = root.children.iter().filter(|e| !is_auth(e));
    let (auth, extra_auth) = (auth.next(), auth.next());
    let (param, extra_param) = (params.next(), params.next());
    match (param, extra_auth, extra_param) {
        (Some(param), None, None) => Ok(Parts { auth, param }),
        (None, _, _) => Err(Error::Malformed("the Request holds no operation element".into())),
        (Some(_), Some(_), _) => Err(Error::Malformed("more than one authHeader".into())),
        (Some(_), None, Some(_)) => Err(Error::Malformed(
            "the Request must hold one authHeader and one operation element".into(),
        )),
    }
}

async fn process(
    state: &Arc<AppState>,
    req: &mut SoapRequest,
    ctx: &mut Context,
) -> Result<(String, writer::Node), Error> {
    let (text, utf16) = decode_text(std::mem::take(&mut req.body))?;
    let root = xml::parse(&text, state.limits.max_xml_depth, utf16).map_err(|e| Error::Malformed(e.0))?;
    drop(text);
    let parts = parts(&root)?;
    ctx.namespace = parts.param.ns.as_deref().map(bounded);
    let target = dispatch::target(parts.param)?;
    ctx.operation = Some(bounded(&target.name));
    let mut credentials: Option<Credentials> = None;
    if let Some(auth) = parts.auth {
        (credentials, ctx.options) = envelope::read_auth_header(auth)?;
    }
    let op = dispatch::operation(&target)?;
    dispatch::inject(state, op, &mut ctx.injected).await?;
    let credentials = credentials.or_else(|| req.basic.clone());
    let node = dispatch::run(state, op, &target, parts.param, credentials, &mut ctx.user).await?;
    Ok((target.ns, node))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(body: &str) -> Element {
        xml::parse(body, 100, false).expect("well-formed")
    }

    #[test]
    fn requests_hold_a_header_and_one_operation() {
        let ns = "http://www.scene7.com/IpsApi/xsd/2017-10-29-beta";
        let ok = root(&format!(
            r#"<Request xmlns="{ns}"><authHeader><user>u</user></authHeader><getCompanyInfoParam/></Request>"#
        ));
        let p = parts(&ok).expect("valid");
        assert!(p.auth.is_some() && p.param.name == "getCompanyInfoParam");
        let no_auth = root(&format!(r#"<Request xmlns="{ns}"><checkLoginParam/></Request>"#));
        assert!(parts(&no_auth).expect("valid").auth.is_none());
        for bad in [
            r#"<Request xmlns="urn:x"><a/></Request>"#.to_owned(),
            format!(r#"<Envelope xmlns="{ns}"><a/></Envelope>"#),
            format!(r#"<Request xmlns="{ns}"/>"#),
            format!(r#"<Request xmlns="{ns}"><a/><b/></Request>"#),
            format!(r#"<Request xmlns="{ns}"><authHeader/><authHeader/><a/></Request>"#),
            format!(r#"<Request xmlns="{ns}">text<a/></Request>"#),
        ] {
            assert!(matches!(parts(&root(&bad)), Err(Error::Malformed(_))), "{bad}");
        }
    }
}
