//! `ImageServingPublishJob` and `ImageRenderingPublishJob`: what is marked
//! ready for publish becomes published (all of it for a full publish; for
//! an incremental one, what changed since its last publish), one log line
//! per asset. `/is/image` serves only published assets when the emulator
//! runs with `--require-publish`.

use std::sync::Arc;

use crate::app::AppState;
use crate::catalog::{JobCounts, JobRow, NewDetail, PublishScope};
use crate::tasks::{Control, Stopped};

use super::kinds::PublishType;
use super::Finished;

/// Publishes the job's company.
pub(super) async fn run(
    state: &Arc<AppState>,
    job: &JobRow,
    rendering: bool,
    publish: PublishType,
    control: &Control,
) -> Result<Finished, Stopped> {
    control.checkpoint().await?;
    let scope = match publish {
        PublishType::Full | PublishType::FullWithSearch => PublishScope::Full,
        PublishType::Incremental => PublishScope::Incremental,
    };
    let success = if rendering {
        "ImageRenderingPublishSuccess"
    } else {
        "ImageServingPublishSuccess"
    };
    let outcome = match state.catalog.publish(job.company_id, scope).await {
        Ok(outcome) => outcome,
        Err(e) => {
            tracing::error!(job = job.id, error = %e, "publish failed");
            return Ok(super::fatal("The publish could not be recorded"));
        }
    };
    let details: Vec<NewDetail> = outcome
        .published
        .iter()
        .map(|(handle, name)| {
            NewDetail::new(success, format!("{name} was published")).asset(
                name.clone(),
                "MasterImage",
                Some(handle.to_string()),
            )
        })
        .collect();
    let n = details.len() as i64;
    let counts = JobCounts {
        success: n,
        total: n,
        ..JobCounts::default()
    };
    if let Err(e) = state
        .catalog
        .job_step(job.id, details, counts, (100, format!("{n} assets published")))
        .await
    {
        tracing::error!(job = job.id, error = %e, "could not record a publish");
    }
    Ok(Finished {
        failed: false,
        details: Vec::new(),
        export_hash: None,
    })
}
