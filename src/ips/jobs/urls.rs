//! `UploadUrlsJob`: each `sourceUrl` fetched through the one outbound
//! client (its allow-list, redirect, time and size rules) and stored as the
//! asset its `destPath` names, as the upload servlet stores a file.
//!
//! A source that is refused, cannot be fetched or is not an acceptable
//! image is an `UploadError` line in the job's log and nothing else: no
//! asset, no stored file. The submitter was answered long before.

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{JobRow, NewDetail, UploadOptions};
use crate::tasks::{Control, Stopped};

use super::{record, Finished, Step};

/// Fetches and stores every URL in turn; `(overwrite, readyForPublish)`.
pub(super) async fn run(
    state: &Arc<AppState>,
    job: &JobRow,
    urls: &[(String, String)],
    options: (bool, bool),
    control: &Control,
) -> Result<Finished, Stopped> {
    let (overwrite, ready_for_publish) = options;
    let options = UploadOptions {
        overwrite,
        ready_for_publish,
        // Without preservePublishState the company default applies, which
        // the emulator takes to be false (as the upload servlet does).
        preserve_publish_state: false,
    };
    let mut stored = 0;
    for (i, (url, dest)) in urls.iter().enumerate() {
        control.checkpoint().await?;
        let step = match fetch_and_store(state, job, url, dest, options).await {
            // The catalog logged the file with its asset.
            Ok(()) => {
                stored += 1;
                None
            }
            Err(message) => Some(Step::failed(
                NewDetail::new("UploadError", format!("{url}: {message}")).asset(dest.clone(), "MasterImage", None),
            )),
        };
        record(state, job, step, i + 1, urls.len()).await;
    }
    Ok(Finished {
        failed: stored == 0,
        details: Vec::new(),
        export_hash: None,
    })
}

async fn fetch_and_store(
    state: &Arc<AppState>,
    job: &JobRow,
    url: &str,
    dest: &str,
    options: UploadOptions,
) -> Result<(), String> {
    let fetched = state.fetcher.get(url).await.map_err(|e| e.to_string())?;
    crate::ips::upload::store_for_job(state, job, dest, fetched.bytes, options)
        .await
        .map(|_| ())
        .map_err(|e| super::records::reason(&e))
}
