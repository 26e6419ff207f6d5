//! The reply of an operation over several assets (`moveAssets`,
//! `deleteAssets`, `restoreAssetsFromTrash`, `emptyAssetsFromTrash`,
//! `setAssetsPublishState`): each asset succeeds or fails on its own, and
//! failures are listed per asset, in the order sent, with the code and
//! reason the equivalent fault would carry, rather than failing the whole
//! call.

use super::refusal::{asset_handle, Subject};
use super::value::Record;
use super::Error;
use crate::catalog;
use crate::handles::AssetHandle;

/// A batch's asset handles as sent, each parsed: one that cannot be parsed
/// fails on its own, like any other item, and the others go to the catalog.
#[derive(Debug)]
pub(crate) struct Handles<'a> {
    raw: &'a [String],
    parsed: Vec<Result<AssetHandle, Error>>,
}

impl<'a> Handles<'a> {
    /// Parses every handle of `raw`.
    pub(crate) fn parse(raw: &'a [String]) -> Self {
        let parsed = raw.iter().map(|a| asset_handle(a)).collect();
        Handles { raw, parsed }
    }

    /// The handles that parsed, in order: what the catalog works on.
    pub(crate) fn valid(&self) -> Vec<AssetHandle> {
        self.parsed.iter().filter_map(|r| r.as_ref().ok().copied()).collect()
    }

    /// Every item as sent with its result, in order: its parse error, or
    /// the catalog's answer for it (`results`, one per valid handle), a
    /// refusal worded as the single-asset operation's fault on `subject`.
    pub(crate) fn results<T>(
        self,
        results: Vec<Result<T, catalog::Error>>,
        subject: Subject<'_>,
    ) -> Vec<(&'a str, Result<T, Error>)> {
        let mut results = results.into_iter();
        self.raw
            .iter()
            .zip(self.parsed)
            .map(|(raw, parsed)| {
                let result = match parsed {
                    Err(e) => Err(e),
                    Ok(_) => match results.next() {
                        Some(r) => r.map_err(|e| subject.asset(raw).refusal(e)),
                        None => Err(Error::Task),
                    },
                };
                (raw.as_str(), result)
            })
            .collect()
    }
}

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

    /// One asset's result, counted; what a success gave back.
    pub(crate) fn record<T>(&mut self, handle: &str, result: Result<T, Error>) -> Option<T> {
        match result {
            Ok(value) => {
                self.succeeded();
                Some(value)
            }
            Err(e) => {
                self.failed(handle, e);
                None
            }
        }
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
