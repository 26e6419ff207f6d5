//! The job kinds `submitJob` takes: which the emulator runs, what each is
//! called in `ActiveJob/type`, and each one's parameters read into the
//! [`Work`] a job does.
//!
//! A kind the emulator does not run is refused when submitted (30003
//! naming it), never accepted and left undone. A kind's options that would
//! change what an image becomes (masks, crops, Photoshop or PDF
//! processing, colour management, video) are accepted and have no effect,
//! as the upload servlet's are: the emulator stores the files as sent.

use crate::ips::value::Params;
use crate::ips::Error;
use crate::render;

/// The submitJobParam kind elements, their `ActiveJob/type`, and whether
/// the emulator runs them.
pub const KINDS: &[(&str, &str, bool)] = &[
    ("imageServingPublishJob", "ImageServingPublish", true),
    ("imageRenderingPublishJob", "ImageRenderingPublish", true),
    ("videoPublishJob", "VideoPublish", false),
    ("serverDirectoryPublishJob", "ServerDirectoryPublish", false),
    ("metadataPublishJob", "MetadataPublish", false),
    ("uploadDirectoryJob", "UploadFromServerDirectory", false),
    ("uploadUrlsJob", "UrlUpload", true),
    ("optimizeImagesJob", "ImageOptimization", false),
    ("ripPdfsJob", "RipPdfs", false),
    ("reprocessAssetsJob", "ReprocessAssets", true),
    ("createVideoSitemapJob", "CreateVideoSitemap", false),
    ("exportJob", "Export", true),
    ("automatedSetGenerationJob", "AutomatedSetGeneration", false),
];

/// The `ActiveJob/type` of a kind element.
pub fn type_of(element: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(e, _, _)| *e == element)
        .map_or("Unknown", |(_, t, _)| t)
}

/// Most URLs or assets one job takes (the documented limit of arrays).
pub const MAX_ITEMS: usize = 1000;

/// What a job does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Work {
    /// `uploadUrlsJob`.
    UploadUrls {
        /// `(sourceUrl, destPath)` pairs.
        urls: Vec<(String, String)>,
        /// `overwrite`.
        overwrite: bool,
        /// `readyForPublish`.
        ready_for_publish: bool,
        /// A publish to run once the files are in (`postImageServingPublishJob`).
        then_publish: Option<PublishType>,
    },
    /// `imageServingPublishJob` / `imageRenderingPublishJob`.
    Publish {
        /// Image Rendering rather than Image Serving.
        rendering: bool,
        /// `publishType` (Image Rendering publishes are always full).
        publish: PublishType,
    },
    /// `exportJob`.
    Export {
        /// The assets' handles, as sent.
        assets: Vec<String>,
        /// `fmt=convert`'s `is_modifier`; `None` for the originals.
        convert: Option<String>,
    },
    /// `reprocessAssetsJob`.
    Reprocess {
        /// The assets' handles, as sent.
        assets: Vec<String>,
    },
}

/// What a publish covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublishType {
    /// Every asset marked for publish.
    Full,
    /// The same; the search index is not emulated.
    FullWithSearch,
    /// Assets marked for publish and changed since their last publish.
    Incremental,
}

impl PublishType {
    fn parse(raw: &str) -> Result<PublishType, Error> {
        match raw {
            "Full" => Ok(PublishType::Full),
            "FullWithSearch" => Ok(PublishType::FullWithSearch),
            // The change logs call it "increment"; the constants page "Incremental".
            "Incremental" | "Increment" => Ok(PublishType::Incremental),
            other => Err(Error::InvalidParameter(format!(
                "publishType must be Full, FullWithSearch or Incremental, not '{other}'"
            ))),
        }
    }

    /// `JobLog/jobSubType`.
    pub fn sub_type(self) -> &'static str {
        match self {
            PublishType::Full => "full",
            PublishType::FullWithSearch => "fullwithsearch",
            PublishType::Incremental => "increment",
        }
    }
}

const EMAIL_SETTINGS: &[&str] = &["All", "Error", "ErrorAndWarning", "JobCompletion", "None"];

fn email_setting(p: &Params) -> Result<(), Error> {
    let raw = p.required("emailSetting")?;
    if EMAIL_SETTINGS.contains(&raw.as_str()) {
        Ok(())
    } else {
        Err(Error::InvalidParameter(format!(
            "emailSetting must be one of {}, not '{raw}'",
            EMAIL_SETTINGS.join(", ")
        )))
    }
}

/// The one kind element a submitJobParam holds: its name and parameters.
pub fn the_kind(p: &Params) -> Result<(&'static str, Params), Error> {
    let given: Vec<&(&str, &str, bool)> = KINDS.iter().filter(|(e, _, _)| p.has(e)).collect();
    match given.as_slice() {
        [] => Err(Error::MissingParameter(
            "job type (one of imageServingPublishJob, uploadUrlsJob, exportJob, …)",
        )),
        [(element, _, true)] => Ok((element, p.record(element).unwrap_or_default())),
        [(element, _, false)] => Err(Error::NotEmulated(format!(
            "Job type '{element}' is not implemented by this emulator"
        ))),
        _ => Err(Error::InvalidParameter(format!(
            "A job must have exactly one job type; this one has {}",
            given.iter().map(|(e, _, _)| *e).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Reads a kind's parameters into its work; what the kind's page requires
/// is required here.
pub fn work(element: &str, p: &Params) -> Result<Work, Error> {
    match element {
        "uploadUrlsJob" => upload_urls(p),
        "imageServingPublishJob" => {
            email_setting(p)?;
            let publish = PublishType::parse(&p.required("publishType")?)?;
            Ok(Work::Publish {
                rendering: false,
                publish,
            })
        }
        "imageRenderingPublishJob" => {
            email_setting(p)?;
            Ok(Work::Publish {
                rendering: true,
                publish: PublishType::Full,
            })
        }
        "exportJob" => export(p),
        "reprocessAssetsJob" => {
            email_setting(p)?;
            p.boolean("createMask")?;
            Ok(Work::Reprocess {
                assets: handles(p, "assetHandleArray")?,
            })
        }
        other => Err(Error::NotEmulated(format!(
            "Job type '{other}' is not implemented by this emulator"
        ))),
    }
}

/// The URL a job of kind `element` is to tell when it ends:
/// `postHttpUrl` of uploads and reprocesses, `httpCompletionUrl` of
/// publishes (the kinds that have one and that the emulator runs). An
/// empty one is none. It must be an `http` or `https` URL, checked when the
/// job is submitted; whether its host may be reached is the outbound
/// policy's call when the job ends, as for a source URL.
pub fn callback(element: &str, p: &Params) -> Result<Option<String>, Error> {
    let field = match element {
        "uploadUrlsJob" | "reprocessAssetsJob" => "postHttpUrl",
        "imageServingPublishJob" | "imageRenderingPublishJob" => "httpCompletionUrl",
        _ => return Ok(None),
    };
    let Some(url) = p.text(field).map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    match crate::outbound::Url::parse(url) {
        Ok(_) => Ok(Some(url.to_owned())),
        Err(e) => Err(Error::InvalidParameter(format!(
            "{field} must be an http or https URL: {e}"
        ))),
    }
}

fn handles(p: &Params, name: &'static str) -> Result<Vec<String>, Error> {
    let handles = p.required_strings(name)?;
    if handles.is_empty() || handles.len() > MAX_ITEMS {
        return Err(Error::InvalidParameter(format!(
            "{name} must hold 1 to {MAX_ITEMS} handles, not {}",
            handles.len()
        )));
    }
    Ok(handles)
}

fn upload_urls(p: &Params) -> Result<Work, Error> {
    email_setting(p)?;
    let items = p.items("urlArray").ok_or(Error::MissingParameter("urlArray"))?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(Error::InvalidParameter(format!(
            "urlArray must hold 1 to {MAX_ITEMS} URLs, not {}",
            items.len()
        )));
    }
    let urls = items
        .iter()
        .map(|u| Ok((u.required("sourceUrl")?, u.required("destPath")?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let overwrite = p.boolean("overwrite")?.ok_or(Error::MissingParameter("overwrite"))?;
    let ready_for_publish = p
        .boolean("readyForPublish")?
        .ok_or(Error::MissingParameter("readyForPublish"))?;
    p.boolean("createMask")?.ok_or(Error::MissingParameter("createMask"))?;
    if p.has("postImageRenderingPublishJob") || p.has("postVideoPublishJob") {
        return Err(Error::NotEmulated(
            "Only postImageServingPublishJob is implemented as a follow-on publish by this emulator".into(),
        ));
    }
    let then_publish = match p.record("postImageServingPublishJob") {
        Some(publish) => Some(PublishType::parse(&publish.required("publishType")?)?),
        None => None,
    };
    Ok(Work::UploadUrls {
        urls,
        overwrite,
        ready_for_publish,
        then_publish,
    })
}

fn export(p: &Params) -> Result<Work, Error> {
    email_setting(p)?;
    let assets = handles(p, "assetHandleArray")?;
    let convert = match p.required("fmt")?.as_str() {
        "orig" => None,
        "convert" => {
            if p.text("macro").is_some_and(|m| !m.is_empty()) {
                return Err(Error::InvalidParameter(
                    "ExportJob macros are not supported by this emulator; give the commands in is_modifier".into(),
                ));
            }
            let modifier = p.string("is_modifier").unwrap_or_default();
            // A modifier that cannot be applied is refused now, not found
            // out file by file.
            render::modifier::parse(&modifier).map_err(render::Error::from)?;
            Some(modifier)
        }
        other => {
            return Err(Error::InvalidParameter(format!(
                "fmt must be orig or convert, not '{other}'"
            )))
        }
    };
    Ok(Work::Export { assets, convert })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ips::value::{Record, Value};

    fn params(r: Record) -> Params {
        Params::from(r)
    }

    #[test]
    fn exactly_one_kind_that_the_emulator_runs() {
        let publish = Record::new().with("publishType", "Full").with("emailSetting", "None");
        let p = params(Record::new().with("imageServingPublishJob", publish.clone()));
        assert_eq!(the_kind(&p).expect("one").0, "imageServingPublishJob");
        let two = params(
            Record::new()
                .with("imageServingPublishJob", publish.clone())
                .with("exportJob", Record::new()),
        );
        assert!(matches!(the_kind(&two), Err(Error::InvalidParameter(_))));
        let video = params(Record::new().with("videoPublishJob", Record::new()));
        assert!(matches!(the_kind(&video), Err(Error::NotEmulated(m)) if m.contains("videoPublishJob")));
        assert!(matches!(
            the_kind(&params(Record::new())),
            Err(Error::MissingParameter(_))
        ));
    }

    #[test]
    fn kind_parameters_are_checked() {
        let bad = params(
            Record::new()
                .with("publishType", "Sometimes")
                .with("emailSetting", "None"),
        );
        assert!(work("imageServingPublishJob", &bad).is_err());
        let url = Value::Record(
            Record::new()
                .with("sourceUrl", "http://x/a.jpg")
                .with("destPath", "A/a.jpg"),
        );
        let upload = params(
            Record::new()
                .with("urlArray", Record::new().with("items", Value::List(vec![url])))
                .with("overwrite", "true")
                .with("readyForPublish", "false")
                .with("createMask", "false")
                .with("emailSetting", "All"),
        );
        let Ok(Work::UploadUrls { urls, overwrite, .. }) = work("uploadUrlsJob", &upload) else {
            panic!("an upload");
        };
        assert_eq!(urls, vec![("http://x/a.jpg".to_owned(), "A/a.jpg".to_owned())]);
        assert!(overwrite);
        let export = |fmt: &str, modifier: &str| {
            params(
                Record::new()
                    .with(
                        "assetHandleArray",
                        Record::new().with("items", Value::List(vec!["a|1|1|1".into()])),
                    )
                    .with("fmt", fmt)
                    .with("is_modifier", modifier)
                    .with("emailSetting", "None"),
            )
        };
        assert!(matches!(
            work("exportJob", &export("orig", "")),
            Ok(Work::Export { convert: None, .. })
        ));
        assert!(work("exportJob", &export("convert", "wid=100&fmt=png")).is_ok());
        assert!(work("exportJob", &export("convert", "wid=-3")).is_err());
        assert!(work("exportJob", &export("tiff", "")).is_err());
    }
}
