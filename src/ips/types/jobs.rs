//! What the job operations answer: active and scheduled jobs with their
//! progress, job logs with their detail rows, and an asset's log entries.
//!
//! Each type is Adobe's in 2013-02-15 and 2014-04-03. The pre-4.0
//! contract already has `ActiveJob`, `ScheduledJob`, `JobLog` and
//! `JobLogDetail` (3.7); what they gained since is dated by the change
//! logs (README, "The contract per version", Jobs). The job kinds the jobs
//! echo are in `job_specs`.

use crate::ips::contract::prelude::*;

use super::job_specs::{ACTIVE_JOB_KIND_FIELDS, JOB_KIND_FIELDS};

/// `ActiveJob`: `locale` and `description` from 2008-01-15 (4.0's job
/// locale, and the description `submitJob` passes through),
/// `taskProgressArray` from 2012-02-14 (the 6.0 log changes
/// `TaskProgress`; nothing dates it earlier), `triggerTime` from
/// 2014-04-03.
pub static ACTIVE_JOB: Type = Type::new(
    "ActiveJob",
    fields![
        &[
            req("companyHandle", STRING),
            req("jobHandle", STRING),
            req("name", STRING),
            req("originalName", STRING),
            req("type", STRING),
            req("state", STRING),
            req("submitUserEmail", STRING),
            opt("locale", STRING).since(V2008_01_15),
            opt("description", STRING).since(V2008_01_15),
            req("serverName", STRING),
            req("startDate", DATE_TIME),
            req("triggerTime", DATE_TIME).since(V2014_04_03),
            req("totalSize", INT),
            req("progress", INT),
            req("progressMessage", STRING),
            req("lastProgressUpdate", DATE_TIME),
            req("taskProgressArray", of(&TASK_PROGRESS_ARRAY)).since(V2012_02_14),
        ],
        ACTIVE_JOB_KIND_FIELDS,
    ],
);

/// `ActiveJobArray`.
pub static ACTIVE_JOB_ARRAY: Type = Type::new("ActiveJobArray", &[many("items", of(&ACTIVE_JOB))]);

/// `ScheduledJob`: `locale` and `description` from 2008-01-15, as in
/// `ActiveJob`.
pub static SCHEDULED_JOB: Type = Type::new(
    "ScheduledJob",
    fields![
        &[
            req("companyHandle", STRING),
            req("jobHandle", STRING),
            req("name", STRING),
            req("originalName", STRING),
            req("type", STRING),
            req("submitUserEmail", STRING),
            opt("locale", STRING).since(V2008_01_15),
            opt("description", STRING).since(V2008_01_15),
            opt("execSchedule", STRING),
            opt("nextFireTime", DATE_TIME),
            opt("timeZone", STRING),
            opt("triggerState", STRING),
        ],
        JOB_KIND_FIELDS,
    ],
);

/// `ScheduledJobArray`.
pub static SCHEDULED_JOB_ARRAY: Type = Type::new("ScheduledJobArray", &[many("items", of(&SCHEDULED_JOB))]);

/// `TaskProgress`: one task of an active job (2012-02-14, whose log adds
/// `taskState`).
pub static TASK_PROGRESS: Type = Type::new(
    "TaskProgress",
    &[
        req("taskType", STRING),
        req("taskState", STRING),
        req("numProcessed", INT),
        req("numProcessing", INT),
        req("numPending", INT),
        req("progress", DOUBLE),
        req("progressMessage", STRING),
        req("lastProgressUpdate", DATE_TIME),
        req("taskItemProgressArray", of(&TASK_ITEM_PROGRESS_ARRAY)),
    ],
);

/// `TaskProgressArray`.
pub static TASK_PROGRESS_ARRAY: Type = Type::new("TaskProgressArray", &[many("items", of(&TASK_PROGRESS))]);

/// `TaskItemProgress`: one item of a task.
pub static TASK_ITEM_PROGRESS: Type = Type::new(
    "TaskItemProgress",
    &[
        req("itemName", STRING),
        req("progress", DOUBLE),
        req("progressMessage", STRING),
        req("lastProgressUpdate", DATE_TIME),
    ],
);

/// `TaskItemProgressArray`.
pub static TASK_ITEM_PROGRESS_ARRAY: Type =
    Type::new("TaskItemProgressArray", &[many("items", of(&TASK_ITEM_PROGRESS))]);

/// `JobLog`: `originalJobName`, `jobSubType` and `description` from
/// 2008-01-15 (4.0 log), the transfer counts from 2009-07-31 (4.4 log),
/// `detailTotalRows` from 2013-02-15 (no record before).
pub static JOB_LOG: Type = Type::new(
    "JobLog",
    &[
        req("companyHandle", STRING),
        req("jobHandle", STRING),
        req("jobName", STRING),
        req("originalJobName", STRING).since(V2008_01_15),
        req("submitUserEmail", STRING),
        req("logType", STRING),
        req("jobSubType", STRING).since(V2008_01_15),
        opt("startDate", DATE_TIME),
        opt("endDate", DATE_TIME),
        req("description", STRING).since(V2008_01_15),
        req("fileSuccessCount", INT),
        req("fileErrorCount", INT),
        req("fileWarningCount", INT),
        req("fileDuplicateCount", INT),
        req("fileUpdateCount", INT),
        req("totalFileCount", INT),
        req("transferSuccessCount", INT).since(V2009_07_31),
        req("transferErrorCount", INT).since(V2009_07_31),
        req("transferWarningCount", INT).since(V2009_07_31),
        req("fatalError", BOOLEAN),
        opt("detailTotalRows", INT).since(V2013_02_15),
        opt("detailArray", of(&JOB_LOG_DETAIL_ARRAY)),
    ],
);

/// `JobLogArray`.
pub static JOB_LOG_ARRAY: Type = Type::new("JobLogArray", &[many("items", of(&JOB_LOG))]);

/// `JobLogDetail`: `assetHandle` from 2008-01-15 (4.0 log), `auxArray`
/// from 2010-01-31 (4.5's `JobLogDetailAux`), `dateCreated` from
/// 2014-04-03.
pub static JOB_LOG_DETAIL: Type = Type::new(
    "JobLogDetail",
    &[
        req("logMessage", STRING),
        req("logType", STRING),
        req("dateCreated", DATE_TIME).since(V2014_04_03),
        opt("assetName", STRING),
        opt("assetType", STRING),
        opt("assetHandle", STRING).since(V2008_01_15),
        opt("auxArray", of(&JOB_LOG_DETAIL_AUX_ARRAY)).since(V2010_01_31),
    ],
);

/// `JobLogDetailArray`.
pub static JOB_LOG_DETAIL_ARRAY: Type = Type::new("JobLogDetailArray", &[many("items", of(&JOB_LOG_DETAIL))]);

/// `JobLogDetailAux`: a further warning or error about a detail's asset
/// (4.5).
pub static JOB_LOG_DETAIL_AUX: Type = Type::new(
    "JobLogDetailAux",
    &[
        req("logMessage", STRING),
        req("logType", STRING),
        opt("dateCreated", DATE_TIME),
    ],
);

/// `JobLogDetailAuxArray`.
pub static JOB_LOG_DETAIL_AUX_ARRAY: Type =
    Type::new("JobLogDetailAuxArray", &[many("items", of(&JOB_LOG_DETAIL_AUX))]);

/// `AssetJobLog`: one log entry about an asset; `auxArray` from 2010-01-31
/// (4.5's `JobLogDetailAux`).
pub static ASSET_JOB_LOG: Type = Type::new(
    "AssetJobLog",
    &[
        req("jobHandle", STRING),
        req("jobName", STRING),
        req("logMessage", STRING),
        req("logType", STRING),
        req("submitUserEmail", STRING),
        req("logDate", DATE_TIME),
        opt("auxArray", of(&JOB_LOG_DETAIL_AUX_ARRAY)).since(V2010_01_31),
    ],
);

/// `AssetJobLogArray`.
pub static ASSET_JOB_LOG_ARRAY: Type = Type::new("AssetJobLogArray", &[many("items", of(&ASSET_JOB_LOG))]);
