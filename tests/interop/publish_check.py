"""Check 7 for the Python stacks (zeep, suds): a full publish job, submitted,
polled while it is active, then found finished in the job logs, the way
integrations drive jobs. The stack makes the calls through its own client;
the values checked here are read from the typed objects that client built
(attributes named as in the WSDL). The runner holds each job Running 1.5 s
(`--job-hold 1500`), so the polls see it.
"""

import time
import uuid

# How often, and how long, the active jobs are polled for the job.
POLL_INTERVAL, POLL_LIMIT = 0.3, 30.0


def poll_active(active_jobs, handle):
    """Polls the active jobs until the job has left them: the job as each
    poll saw it, and whether it left within POLL_LIMIT."""
    seen = []
    deadline = time.monotonic() + POLL_LIMIT
    while time.monotonic() < deadline:
        mine = [j for j in active_jobs(handle) if j.jobHandle == handle]
        if not mine:
            return seen, True
        seen.append(mine[0])
        time.sleep(POLL_INTERVAL)
    return seen, False


def finished_log_problem(log, handle):
    """Why a job log does not show the publish finished well, or None."""
    start, end = getattr(log, "startDate", None), getattr(log, "endDate", None)
    counts = (log.fileSuccessCount, log.fileErrorCount, log.totalFileCount)
    ok = (
        log.jobHandle == handle
        and start is not None
        and end is not None
        and end >= start
        and log.fatalError is False
        and all(isinstance(c, int) for c in counts)
        and log.fileSuccessCount >= 1
        and log.fileErrorCount == 0
        and log.totalFileCount >= log.fileSuccessCount
    )
    if ok:
        return None
    return (
        f"handle={log.jobHandle!r} start={start} end={end} fatal={log.fatalError!r} "
        f"success/error/total={counts!r}"
    )


def run(check, submit, active_jobs, job_logs):
    """Runs check 7 through the stack's calls:

    submit(job_name) -> the jobHandle submitJob returned
    active_jobs(job_handle) -> the ActiveJob items getActiveJobs returned
    job_logs() -> the company's JobLog items getJobLogs returned
    """
    job_name = "interop-publish-" + uuid.uuid4().hex[:8]
    what = "submitJob (publish) returns a jobHandle"
    try:
        handle = submit(job_name)
    except Exception as e:  # noqa: BLE001 - reported as the check's failure
        check(what, False, f"{type(e).__name__}: {e}")
        return
    check(what, isinstance(handle, str) and handle != "", f"got {handle!r}")
    if not handle:
        return

    what = "getActiveJobs sees the job Running"
    try:
        seen, left = poll_active(active_jobs, handle)
    except Exception as e:  # noqa: BLE001
        check(what, False, f"{type(e).__name__}: {e}")
        return
    check(
        what,
        any(j.state == "Running" and j.originalName == job_name and j.type == "ImageServingPublish" for j in seen),
        f"{len(seen)} polls saw it: " + ", ".join(f"{j.state}/{j.originalName}/{j.type}" for j in seen),
    )
    check("the job leaves the active jobs", left, f"still active after {POLL_LIMIT:.0f}s")

    what = "getJobLogs lists the finished job"
    try:
        logs = job_logs()
    except Exception as e:  # noqa: BLE001
        check(what, False, f"{type(e).__name__}: {e}")
        return
    mine = [log for log in logs if log.originalJobName == job_name]
    if len(mine) != 1:
        check(what, False, f"{len(mine)} of {len(logs)} logs named {job_name}")
        return
    problem = finished_log_problem(mine[0], handle)
    check(what, problem is None, problem or "")
