//! The upload servlet's XML (`POST /scene7/UploadFile`): the `auth` and
//! `uploadParams` form parts in, `uploadPostReturn` or a bare fault element
//! out.
//!
//! The HTTP layer hands over the form's parts; [`handle`] sorts them, reads
//! the `auth` part as an `authHeader` document (the SOAP header's reader, so
//! credentials and `faultHttpStatusCode` mean the same thing), authenticates,
//! checks the user type, decodes `uploadParams` into an [`ips::Upload`] and
//! runs it. Replies have no SOAP envelope, as Adobe's servlet examples show:
//! `<uploadPostReturn>` in the namespace of the request's `uploadParams`, or
//! a fault element in `…/IpsApi/xsd`, with HTTP 500 unless
//! `faultHttpStatusCode` says otherwise.

use std::sync::Arc;

use bytes::Bytes;

use super::envelope::{self, Fields};
use super::fault::Fault;
use super::versions::is_ips_namespace;
use super::writer::Node;
use super::xml::{Element, XSI};
use super::{decode_text, writer, xml, Error};
use crate::app::AppState;
use crate::auth;
use crate::ips::{self, Upload, UploadJob, UploadedFile};

/// `Content-Type` of every servlet reply, spelled as Adobe's examples show it.
pub const CONTENT_TYPE: &str = "text/xml;charset=utf-8";

/// One part of the posted form.
#[derive(Clone, Debug)]
pub struct FormPart {
    /// Its form field name.
    pub name: String,
    /// Its `filename`, for file parts.
    pub filename: Option<String>,
    /// Its content.
    pub data: Bytes,
}

/// The reply, with what the HTTP layer needs to send and log it.
#[derive(Debug)]
pub struct UploadResponse {
    /// HTTP status.
    pub status: u16,
    /// The XML.
    pub body: Vec<u8>,
    /// The IPS fault code, for faults (for logs).
    pub fault_code: Option<i32>,
    /// How many file parts the request had (for logs).
    pub files: usize,
}

/// Handles one servlet request. Never fails: every error becomes a fault.
pub async fn handle(state: &Arc<AppState>, parts: Vec<FormPart>) -> UploadResponse {
    let files = parts.iter().filter(|p| p.filename.is_some()).count();
    let mut fault_status = None;
    match process(state, parts, &mut fault_status).await {
        Ok((ns, node)) => UploadResponse {
            status: 200,
            body: writer::document(&ns, &node).into_bytes(),
            fault_code: None,
            files,
        },
        Err(e) => {
            let fault = Fault::from_error(&e);
            if fault.is_client() {
                tracing::debug!(error = %e, "upload refused");
            }
            UploadResponse {
                status: fault.http_status(fault_status),
                body: fault.to_bare_xml().into_bytes(),
                fault_code: fault.code(),
                files,
            }
        }
    }
}

/// The parts sorted by role.
struct Form {
    auth: Option<Bytes>,
    params: Option<Bytes>,
    files: Vec<UploadedFile>,
}

impl Form {
    /// `auth` and `uploadParams` by name (at most once each); every other
    /// part must be a file. A stray field is refused rather than ignored, as
    /// an unknown element is.
    fn sort(parts: Vec<FormPart>) -> Result<Form, Error> {
        let mut form = Form {
            auth: None,
            params: None,
            files: Vec::new(),
        };
        for part in parts {
            let slot = match part.name.as_str() {
                "auth" => &mut form.auth,
                "uploadParams" => &mut form.params,
                _ if part.filename.is_some() => {
                    form.files.push(UploadedFile {
                        filename: part.filename,
                        bytes: part.data,
                    });
                    continue;
                }
                other => {
                    return Err(Error::Malformed(format!(
                        "unexpected form part '{other}': only auth, uploadParams and files are accepted"
                    )))
                }
            };
            if slot.replace(part.data).is_some() {
                return Err(Error::Malformed(format!(
                    "the form has more than one '{}' part",
                    part.name
                )));
            }
        }
        Ok(form)
    }
}

async fn process(
    state: &Arc<AppState>,
    parts: Vec<FormPart>,
    fault_status: &mut Option<u16>,
) -> Result<(String, Node), Error> {
    let form = Form::sort(parts)?;
    // The page requires the part; without it there are no credentials, as
    // for a SOAP request with no authHeader.
    let auth = form.auth.ok_or(Error::Auth(auth::Error::NoCredentials))?;
    let auth = parse_part(state, &auth, "auth")?;
    // Anything but an authHeader in an IPS namespace carries no credentials,
    // like a SOAP authHeader in a foreign namespace.
    let credentials = if auth.name == "authHeader" && auth.ns.as_deref().is_some_and(is_ips_namespace) {
        let (credentials, options) = envelope::read_auth_header(&auth)?;
        *fault_status = options.fault_status;
        credentials
    } else {
        None
    };
    let principal = state.auth.authenticate(credentials).await?;
    let uploader = ips::upload::authorize(&principal)?;
    let params = form.params.ok_or(Error::MissingParameter("uploadParams"))?;
    let params = parse_part(state, &params, "uploadParams")?;
    let ns = params.ns.as_deref().unwrap_or_default().to_owned();
    let upload = decode(&params, form.files)?;
    let job = ips::upload::execute(state, uploader, upload).await?;
    Ok((ns, Node::parent("uploadPostReturn", vec![Node::text("jobHandle", job)])))
}

/// An XML form part, under the same rules as a SOAP body: UTF-8 or UTF-16
/// with a byte order mark, no DTD, bounded depth. (The part's charset
/// parameter is not consulted: Adobe's example says US-ASCII, a subset.)
fn parse_part(state: &AppState, bytes: &[u8], part: &str) -> Result<Element, Error> {
    let (text, utf16) = decode_text(bytes.to_vec())?;
    xml::parse(&text, state.limits.max_xml_depth, utf16).map_err(|e| Error::Malformed(format!("the {part} part: {e}")))
}

/// `uploadPostParam` children besides `uploadParams`. The docs' table calls
/// the element `uploadPostParams`, their example `uploadPostParam`; both
/// are accepted.
const UPLOAD_FIELDS: &[&str] = &[
    "companyHandle",
    "jobName",
    "jobHandle",
    "locale",
    "description",
    "destFolder",
    "fileName",
    "endJob",
];

/// Decodes the `uploadParams` part's document.
fn decode(root: &Element, files: Vec<UploadedFile>) -> Result<Upload, Error> {
    let ns = match root.ns.as_deref() {
        Some(ns) if is_ips_namespace(ns) && matches!(root.name.as_str(), "uploadPostParam" | "uploadPostParams") => ns,
        _ => {
            return Err(Error::Malformed(format!(
                "the uploadParams part must be an uploadPostParam document in an IPS API namespace, not {}",
                root.qname()
            )))
        }
    };
    // `uploadParams` (an UploadPostJob) has children of its own; the rest
    // are simple values.
    let is_job = |c: &Element| c.is(ns, "uploadParams");
    let mut jobs = root.children.iter().filter(|c| is_job(c));
    let job_params = jobs.next();
    if jobs.next().is_some() {
        return Err(Error::Malformed("element 'uploadParams' appears more than once".into()));
    }
    let simple = Element {
        children: root.children.iter().filter(|c| !is_job(c)).cloned().collect(),
        ..Element::default()
    };
    let f = Fields::collect(&simple, ns, Some(UPLOAD_FIELDS))?;
    let job = match (f.get("jobName"), f.get("jobHandle")) {
        (Some(_), Some(_)) => return Err(Error::Malformed("give jobName or jobHandle, not both".into())),
        (Some(name), None) => {
            let job = job_params.ok_or(Error::MissingParameter("uploadParams"))?;
            UploadJob::Start {
                name: name.to_owned(),
                overwrite: job_boolean(ns, job, "overwrite")?.ok_or(Error::MissingParameter("overwrite"))?,
                // Absent, Scene7's default: uploads are marked for publish.
                ready_for_publish: job_boolean(ns, job, "readyForPublish")?.unwrap_or(true),
                // Absent, the company's default, which the emulator keeps as
                // "the job's mark applies".
                preserve_publish_state: job_boolean(ns, job, "preservePublishState")?.unwrap_or(false),
            }
        }
        // The job's own parameters apply; these are ignored, as documented.
        (None, Some(handle)) => UploadJob::Continue {
            handle: handle.to_owned(),
        },
        (None, None) => return Err(Error::MissingParameter("jobName")),
    };
    let end_job = match f.get("endJob") {
        None => false,
        Some(v) => boolean("endJob", v)?,
    };
    Ok(Upload {
        company: f.required("companyHandle")?.to_owned(),
        job,
        dest_folder: f.get("destFolder").map(str::to_owned),
        file_name: f.get("fileName").map(str::to_owned),
        end_job,
        files,
    })
}

/// A boolean option of `UploadPostJob`: `overwrite` (which the type
/// requires), `readyForPublish` and `preservePublishState`, the ones the
/// emulator acts on; `None` when absent or nil. Its other options (crops,
/// masks, Photoshop and PDF processing, e-mail) concern processing the
/// emulator does not do and are accepted without effect.
fn job_boolean(ns: &str, job: &Element, name: &str) -> Result<Option<bool>, Error> {
    let mut found = job
        .children
        .iter()
        .filter(|c| c.is(ns, name) && !matches!(c.attr(Some(XSI), "nil"), Some("true" | "1")));
    let Some(value) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() {
        return Err(Error::Malformed(format!("element '{name}' appears more than once")));
    }
    if !value.children.is_empty() {
        return Err(Error::Malformed(format!("element '{name}' must hold text only")));
    }
    boolean(name, &value.text).map(Some)
}

fn boolean(name: &str, value: &str) -> Result<bool, Error> {
    envelope::parse_bool(value)
        .ok_or_else(|| Error::Malformed(format!("element '{name}' must be an xsd:boolean (true, false, 1 or 0)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "http://www.scene7.com/IpsApi/xsd/2014-04-03";

    fn decode_str(body: &str) -> Result<Upload, Error> {
        let doc = format!(r#"<uploadPostParam xmlns="{NS}">{body}</uploadPostParam>"#);
        decode(&xml::parse(&doc, 100, false).expect("well-formed"), Vec::new())
    }

    #[test]
    fn the_documented_example_decodes() {
        let up = decode_str(
            "<companyHandle>c|2101</companyHandle><jobName>uploadFileServlet-1376682217351</jobName>\
             <uploadParams><overwrite>true</overwrite><readyForPublish>true</readyForPublish>\
             <manualCropOptions><left>500</left></manualCropOptions><emailSetting>None</emailSetting></uploadParams>",
        )
        .expect("decodes");
        assert_eq!(up.company, "c|2101");
        assert_eq!(
            up.job,
            UploadJob::Start {
                name: "uploadFileServlet-1376682217351".into(),
                overwrite: true,
                ready_for_publish: true,
                preserve_publish_state: false,
            }
        );
        assert_eq!((up.end_job, up.dest_folder, up.file_name), (false, None, None));
    }

    #[test]
    fn publish_options_decode_and_default_to_marking() {
        let start = |job: &str| {
            decode_str(&format!(
                "<companyHandle>c|6</companyHandle><jobName>j</jobName><uploadParams>{job}</uploadParams>"
            ))
            .map(|up| up.job)
        };
        let job = |overwrite, ready_for_publish, preserve_publish_state| UploadJob::Start {
            name: "j".into(),
            overwrite,
            ready_for_publish,
            preserve_publish_state,
        };
        assert_eq!(
            start("<overwrite>0</overwrite>").expect("decodes"),
            job(false, true, false)
        );
        assert_eq!(
            start(
                "<overwrite>true</overwrite><readyForPublish>false</readyForPublish>\
                 <preservePublishState>1</preservePublishState>"
            )
            .expect("decodes"),
            job(true, false, true)
        );
        for bad in [
            "<overwrite>0</overwrite><readyForPublish>no</readyForPublish>",
            "<overwrite>0</overwrite><readyForPublish>1</readyForPublish><readyForPublish>1</readyForPublish>",
        ] {
            assert!(matches!(start(bad), Err(Error::Malformed(_))), "{bad}");
        }
    }

    #[test]
    fn continuing_jobs_and_options() {
        let up = decode_str(
            "<companyHandle>c|6</companyHandle><jobHandle>j|6||x|1</jobHandle><endJob>true</endJob>\
             <destFolder>uploads/</destFolder><fileName>n.jpg</fileName><locale>en-US</locale><description>d</description>",
        )
        .expect("decodes");
        assert_eq!(
            up.job,
            UploadJob::Continue {
                handle: "j|6||x|1".into()
            }
        );
        assert!(up.end_job);
        assert_eq!(
            (up.dest_folder.as_deref(), up.file_name.as_deref()),
            (Some("uploads/"), Some("n.jpg"))
        );
    }

    #[test]
    fn refusals() {
        let missing = |body: &str, name: &str| match decode_str(body) {
            Err(Error::MissingParameter(n)) => assert_eq!(n, name, "{body}"),
            other => panic!("{body}: {other:?}"),
        };
        missing(
            "<jobName>j</jobName><uploadParams><overwrite>1</overwrite></uploadParams>",
            "companyHandle",
        );
        missing("<companyHandle>c|6</companyHandle>", "jobName");
        missing("<companyHandle>c|6</companyHandle><jobName>j</jobName>", "uploadParams");
        missing(
            "<companyHandle>c|6</companyHandle><jobName>j</jobName><uploadParams/>",
            "overwrite",
        );
        for malformed in [
            "<companyHandle>c|6</companyHandle><jobName>j</jobName><jobHandle>j|6||j|1</jobHandle>",
            "<companyHandle>c|6</companyHandle><jobName>j</jobName><uploadParams><overwrite>yes</overwrite></uploadParams>",
            "<companyHandle>c|6</companyHandle><jobHandle>h</jobHandle><endJob>maybe</endJob>",
            "<companyHandle>c|6</companyHandle><companyHandle>c|7</companyHandle><jobHandle>h</jobHandle>",
            "<companyHandle>c|6</companyHandle><jobHandle>h</jobHandle><uploadParams/><uploadParams/>",
        ] {
            assert!(matches!(decode_str(malformed), Err(Error::Malformed(_))), "{malformed}");
        }
        assert!(matches!(
            decode_str("<companyHandle>c|6</companyHandle><jobHandle>h</jobHandle><bogus/>"),
            Err(Error::UnexpectedElement(_))
        ));
        let foreign = xml::parse(r#"<uploadPostParam xmlns="urn:x"/>"#, 100, false).expect("xml");
        assert!(matches!(decode(&foreign, Vec::new()), Err(Error::Malformed(_))));
    }

    #[test]
    fn parts_are_sorted_strictly() {
        let part = |name: &str, filename: Option<&str>| FormPart {
            name: name.into(),
            filename: filename.map(str::to_owned),
            data: Bytes::from_static(b"x"),
        };
        let form = Form::sort(vec![
            part("auth", None),
            part("uploadParams", None),
            part("file1", Some("a.jpg")),
            part("file2", Some("b.jpg")),
        ])
        .expect("sorted");
        assert!(form.auth.is_some() && form.params.is_some());
        assert_eq!(form.files.len(), 2);
        assert!(matches!(
            Form::sort(vec![part("auth", None), part("auth", None)]),
            Err(Error::Malformed(_))
        ));
        assert!(matches!(
            Form::sort(vec![part("submit", None)]),
            Err(Error::Malformed(_))
        ));
    }
}
