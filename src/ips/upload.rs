//! `UploadFile`: Scene7's upload servlet. Files posted to a job become Image
//! assets.
//!
//! A request is all or nothing. Every file is probed first (format and size
//! from its header, under the source image limits, so a decompression bomb
//! is refused before any pixel buffer exists); one that is not an acceptable
//! image refuses the request with nothing stored. Then the bytes are stored
//! durably and pinned, and one catalog job records the job and every asset;
//! if it refuses (a name in use, a folder or job that does not exist), the
//! new bytes are released again, as a failed rendered copy's are.

use std::sync::Arc;

use bytes::Bytes;

use crate::app::AppState;
use crate::auth::{Principal, UserType};
use crate::catalog::{self, UploadAssets, UploadJobRef, UploadOptions, UploadRefusal, UploadTarget};
use crate::handles::{CompanyHandle, JobHandle};
use crate::{deadline, ingest};

pub use crate::ingest::UploadedFile;

use super::names::check_name;
use super::{company_for, Error, WRITERS};

/// Who may upload: the servlet's page names no user types; uploading makes
/// image assets as copyImage does, so the same user types may.
pub const USERS: &[UserType] = WRITERS;

/// One request to the upload servlet, decoded from its form parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    /// `companyHandle`.
    pub company: String,
    /// The job it starts or continues.
    pub job: UploadJob,
    /// `destFolder`: a folder path put before each file's name.
    pub dest_folder: Option<String>,
    /// `fileName`: the target file name, instead of each part's filename.
    pub file_name: Option<String>,
    /// `endJob`.
    pub end_job: bool,
    /// The file parts, in order.
    pub files: Vec<UploadedFile>,
}

/// `jobName` with the job's `uploadParams`, or `jobHandle`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UploadJob {
    /// A new job.
    Start {
        /// `jobName`.
        name: String,
        /// `uploadParams/overwrite`.
        overwrite: bool,
        /// `uploadParams/readyForPublish`: the job's files are marked for
        /// publish (Scene7 marks uploads by default).
        ready_for_publish: bool,
        /// `uploadParams/preservePublishState`: an asset a file overwrites
        /// keeps its own mark.
        preserve_publish_state: bool,
    },
    /// An existing job, by the handle an earlier request returned; its own
    /// `uploadParams` apply (a request's are ignored, as the docs say).
    Continue {
        /// `jobHandle`, as sent.
        handle: String,
    },
}

/// Longest job name accepted, in bytes.
const MAX_JOB_NAME_BYTES: usize = 255;

/// Proof that the caller may upload: only [`authorize`] makes one.
#[derive(Debug)]
pub struct Uploader<'a>(&'a Principal);

/// Checks the caller's user type (20003, as for an operation), before the
/// request's parameters are decoded.
pub fn authorize(principal: &Principal) -> Result<Uploader<'_>, Error> {
    if USERS.contains(&principal.user_type) {
        Ok(Uploader(principal))
    } else {
        Err(Error::NotPermitted("UploadFile"))
    }
}

/// Stores the files and records the job; returns the job's handle for its
/// further requests.
pub async fn execute(state: &Arc<AppState>, uploader: Uploader<'_>, req: Upload) -> Result<String, Error> {
    let principal = uploader.0;
    let company = company_for(principal, &req.company)?;
    let job = match &req.job {
        UploadJob::Start {
            name,
            overwrite,
            ready_for_publish,
            preserve_publish_state,
        } => {
            check_job_name(name)?;
            UploadJobRef::Start {
                name: name.clone(),
                options: UploadOptions {
                    overwrite: *overwrite,
                    ready_for_publish: *ready_for_publish,
                    preserve_publish_state: *preserve_publish_state,
                },
            }
        }
        UploadJob::Continue { handle } => {
            let parsed = JobHandle::parse(handle)
                .ok_or_else(|| Error::InvalidParameter(format!("Invalid job handle '{handle}'")))?;
            if parsed.company != company.0 {
                return Err(job_not_found(handle, company));
            }
            UploadJobRef::Continue {
                id: parsed.id,
                name: parsed.name,
            }
        }
    };
    let targets = req
        .files
        .iter()
        .map(|f| {
            target(
                req.dest_folder.as_deref(),
                req.file_name.as_deref(),
                f.filename.as_deref(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;

    let stored = probe_and_store(state, &req.files).await?;
    let files = targets
        .into_iter()
        .zip(stored.contents)
        .map(|((folder, name), content)| UploadTarget { folder, name, content })
        .collect();
    // The files are stored: recording them is not given up for want of
    // patience ("busy" must mean nothing was done).
    let uploaded = deadline::exempt(state.catalog.upload_assets(UploadAssets {
        company_id: company.0,
        job,
        end_job: req.end_job,
        actor_user_id: principal.user_id,
        files,
    }))
    .await;
    // Committed or not, the rows no longer need the blobs kept for them.
    stored.held.settle(state, uploaded.is_ok()).await;
    let outcome = match uploaded {
        Ok(outcome) => outcome,
        Err(e) => {
            return Err(match e {
                catalog::Error::CompanyNotFound => Error::InvalidCompany(req.company.clone()),
                catalog::Error::Upload(UploadRefusal::NameInUse(name)) => Error::NameInUse(name),
                catalog::Error::Upload(UploadRefusal::FolderNotFound(path)) => {
                    Error::InvalidParameter(format!("Folder '{path}' was not found in company '{company}'"))
                }
                catalog::Error::Upload(UploadRefusal::JobNotFound) => job_not_found(&job_handle_text(&req), company),
                catalog::Error::Upload(UploadRefusal::JobEnded) => Error::InvalidParameter(format!(
                    "Upload job '{}' has ended; start a new job with jobName",
                    job_handle_text(&req)
                )),
                other => Error::from(other),
            });
        }
    };
    // Bytes an overwritten asset named may now be nobody's.
    ingest::release_all(state, outcome.replaced_blobs).await;
    Ok(JobHandle {
        company: company.0,
        name: outcome.job_name,
        id: outcome.job_id,
    }
    .to_string())
}

/// Stores one file a job fetched (an `UploadUrlsJob`'s source) as the
/// asset `dest_path` names (a full path, or one under the company root,
/// with the file name; the asset is named as the upload servlet names it),
/// recorded under job `job_id` with its log line. All or nothing, as an
/// upload request is.
pub(crate) async fn store_for_job(
    state: &Arc<AppState>,
    job: &catalog::JobRow,
    dest_path: &str,
    bytes: Bytes,
    options: catalog::UploadOptions,
) -> Result<catalog::Asset, Error> {
    let (folder, name) = target(None, Some(dest_path), None)?;
    let file = UploadedFile {
        filename: Some(dest_path.to_owned()),
        bytes,
    };
    // Known before anything is stored, so that a failure leaves nothing.
    let actor_user_id = job.submit_user.ok_or(Error::Task)?;
    let stored = probe_and_store(state, std::slice::from_ref(&file)).await?;
    let files = stored
        .contents
        .into_iter()
        .map(|content| UploadTarget {
            folder: folder.clone(),
            name: name.clone(),
            content,
        })
        .collect();
    let uploaded = state
        .catalog
        .upload_assets(UploadAssets {
            company_id: job.company_id,
            job: UploadJobRef::Within { id: job.id, options },
            end_job: false,
            actor_user_id,
            files,
        })
        .await;
    stored.held.settle(state, uploaded.is_ok()).await;
    match uploaded {
        Ok(mut outcome) => {
            ingest::release_all(state, outcome.replaced_blobs).await;
            outcome.assets.pop().ok_or(Error::Task)
        }
        Err(e) => Err(match e {
            catalog::Error::Upload(UploadRefusal::NameInUse(name)) => Error::NameInUse(name),
            catalog::Error::Upload(UploadRefusal::FolderNotFound(path)) => {
                Error::InvalidParameter(format!("Folder '{path}' was not found"))
            }
            other => Error::from(other),
        }),
    }
}

fn job_handle_text(req: &Upload) -> String {
    match &req.job {
        UploadJob::Continue { handle } => handle.clone(),
        UploadJob::Start { name, .. } => name.clone(),
    }
}

fn job_not_found(handle: &str, company: CompanyHandle) -> Error {
    Error::InvalidParameter(format!("Upload job '{handle}' was not found in company '{company}'"))
}

fn check_job_name(name: &str) -> Result<(), Error> {
    if name.is_empty() || name.len() > MAX_JOB_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(Error::InvalidParameter(format!(
            "jobName must be 1 to {MAX_JOB_NAME_BYTES} bytes long with no control characters"
        )));
    }
    Ok(())
}

/// Where a file goes: `(folder, asset name)`, the folder ending in `/` (or
/// empty for the company root) and either full or under the root, as the
/// catalog resolves it.
///
/// The target file is `fileName` if given, else the part's filename, with
/// `destFolder` put before it; its directory is the folder, and its base
/// name without the extension is the asset name (IPS names assets that way:
/// `Autumn Leaves.jpg` → `Autumn Leaves`). A filename with a backslash is a
/// client's local Windows path (old browsers sent those): only its last
/// component counts. Empty path segments are skipped (Adobe's own example
/// has `…1376682217351//1376682217351-1.jpg`); `.` and `..` are refused.
fn target(
    dest_folder: Option<&str>,
    file_name: Option<&str>,
    filename: Option<&str>,
) -> Result<(String, String), Error> {
    let given = file_name
        .or(filename)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| Error::InvalidParameter("A file part has no filename, and no fileName was given".into()))?;
    let (dir, file) = match given.rsplit_once('\\') {
        Some((_, file)) => ("", file),
        None => given.rsplit_once('/').unwrap_or(("", given)),
    };
    let dest = dest_folder
        .map(|d| d.strip_prefix("f|").unwrap_or(d))
        .unwrap_or_default();
    let mut folder = String::new();
    for segment in dest.split('/').chain(dir.split('/')).filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Err(Error::InvalidParameter(format!(
                "The folder of '{given}' must not contain '.' or '..'"
            )));
        }
        folder.push_str(segment);
        folder.push('/');
    }
    let name = match file.rfind('.') {
        Some(dot) if dot > 0 => &file[..dot],
        _ => file,
    };
    check_name(name)?;
    Ok((folder, name.to_owned()))
}

/// Probes every file and, only if all are acceptable images, stores and
/// pins them (see `ingest`), with the servlet's fault for a file that is not.
async fn probe_and_store(state: &Arc<AppState>, files: &[UploadedFile]) -> Result<ingest::Stored, Error> {
    let stored = match ingest::probe(state, files).await {
        Ok(infos) => ingest::store(state, files, infos).await,
        Err(e) => Err(e),
    };
    stored.map_err(|e| match e {
        ingest::Error::NotAnImage { index, error } => {
            let which = files
                .get(index)
                .and_then(|f| f.filename.clone())
                .unwrap_or_else(|| format!("file #{}", index + 1));
            Error::InvalidParameter(format!("Cannot upload '{which}': {error}"))
        }
        ingest::Error::Store(e) => Error::Store(e),
        ingest::Error::Task(e) => Error::from(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(dest: Option<&str>, file_name: Option<&str>, filename: Option<&str>) -> Result<(String, String), Error> {
        target(dest, file_name, filename)
    }

    #[test]
    fn targets() {
        let ok = |dest, file_name, filename, folder: &str, name: &str| {
            assert_eq!(
                t(dest, file_name, filename).expect("accepted"),
                (folder.to_owned(), name.to_owned()),
                "{dest:?} {file_name:?} {filename:?}"
            );
        };
        ok(None, None, Some("photo.jpg"), "", "photo");
        ok(None, None, Some("Autumn Leaves.JPG"), "", "Autumn Leaves");
        ok(None, None, Some("archive.tar.gz"), "", "archive.tar");
        ok(None, None, Some(".hidden"), "", ".hidden");
        ok(None, None, Some("noext"), "", "noext");
        ok(Some("uploads"), None, Some("photo.jpg"), "uploads/", "photo");
        ok(
            Some("f|ApiTestCo/uploads/"),
            None,
            Some("photo.jpg"),
            "ApiTestCo/uploads/",
            "photo",
        );
        ok(None, Some("renamed.png"), Some("photo.jpg"), "", "renamed");
        ok(
            None,
            None,
            Some("ApiTestCo1/UploadFileServlet1376682217351//1376682217351-1.jpg"),
            "ApiTestCo1/UploadFileServlet1376682217351/",
            "1376682217351-1",
        );
        ok(
            Some("/uploads/"),
            None,
            Some("C:\\Users\\me\\photo.jpg"),
            "uploads/",
            "photo",
        );
        for (dest, file_name, filename) in [
            (None, None, None),
            (None, None, Some("")),
            (None, None, Some("dir/")),
            (None, None, Some("a/../b.jpg")),
            (Some("./x"), None, Some("b.jpg")),
            (None, None, Some("tab\there.jpg")),
        ] {
            assert!(
                matches!(t(dest, file_name, filename), Err(Error::InvalidParameter(_))),
                "{dest:?} {file_name:?} {filename:?}"
            );
        }
    }

    #[test]
    fn job_names() {
        assert!(check_job_name("uploadFileServlet-1376682217351").is_ok());
        assert!(check_job_name("with|pipe and space").is_ok());
        for bad in ["", "nl\n", &"j".repeat(256)] {
            assert!(check_job_name(bad).is_err(), "{bad:?}");
        }
    }
}
