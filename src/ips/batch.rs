//! The reply of an operation over several assets (`moveAssets`,
//! `deleteAssets`, `setAssetsPublishState`): each asset succeeds or fails on its own, and failures
//! are listed per asset, in the order sent, with the code and reason the
//! equivalent fault would carry, rather than failing the whole call.

use super::value::Record;
use super::Error;

/// What happened to each asset.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    success: u32,
    errors: Vec<Record>,
}

impl Outcome {
    /// One asset done.
    pub(crate) fn succeeded(&mut self) {
        self.success += 1;
    }

    /// One asset, named as the request named it, not done, and why.
    pub(crate) fn failed(&mut self, handle: &str, error: Error) {
        self.errors
            .push(Record::new().with("assetHandle", handle).with_failure(error));
    }

    /// The counts, and the failures when there are any (the detail arrays
    /// are left out when empty, as Scene7 answers).
    pub(crate) fn into_record(self) -> Record {
        let errors = self.errors.len();
        let record = Record::new()
            .with_number("successCount", self.success)
            .with_number("warningCount", 0)
            .with_number("errorCount", errors);
        if errors == 0 {
            record
        } else {
            record.with_array("errorDetailArray", self.errors.into_iter().map(Into::into).collect())
        }
    }
}
