//! The job tables on in-memory SQLite: a job's life, its log, and what a
//! restart does to the jobs a crash left running.

use super::super::{
    Catalog, DetailQuery, JobEnd, JobFilter, JobState, NewDetail, NewJob, SeedCompany, SeedData, SeedUser,
};

async fn catalog() -> Catalog {
    let (catalog, worker) = Catalog::open_in_memory().expect("open");
    std::mem::forget(worker);
    let seed = SeedData {
        companies: vec![SeedCompany {
            id: 6,
            name: "A".into(),
            root_path: "A/".into(),
            expires: None,
            folders: vec![],
            metadata_fields: Vec::new(),
        }],
        users: vec![SeedUser {
            email: "u@x".into(),
            password_hash: "$argon2id$fake".into(),
            user_type: "IpsUser".into(),
            first_name: String::new(),
            last_name: String::new(),
            companies: vec![6],
        }],
        ..SeedData::default()
    };
    catalog.apply_seed(seed).await.expect("seed");
    catalog
}

fn job(name: &str, exec_time: Option<&str>) -> NewJob {
    NewJob {
        company_id: 6,
        kind: "ImageServingPublish".into(),
        original_name: name.into(),
        description: String::new(),
        locale: None,
        spec: String::new(),
        exec_time: exec_time.map(str::to_owned),
        submit_user: 1,
        sub_type: "full".into(),
    }
}

#[tokio::test]
async fn a_job_lives_new_running_done_and_keeps_its_log() {
    let catalog = catalog().await;
    let new = catalog.submit_job(job("pub", None)).await.expect("submit");
    assert_eq!((new.state, new.name.as_str()), (JobState::New, "pub-1"));
    let running = catalog.start_job(new.id).await;
    assert_eq!(running.expect("start").expect("was new").state, JobState::Running);
    assert!(catalog.start_job(new.id).await.expect("ask").is_none(), "starts once");
    let first = vec![NewDetail::new("BeginImageServingPublish", "go")];
    let no_progress = (0, String::new());
    catalog
        .job_step(new.id, first, Default::default(), no_progress)
        .await
        .expect("step");
    let end = JobEnd {
        state: JobState::Done,
        details: vec![NewDetail::new("EndImageServingPublish", "done")],
        export_hash: None,
    };
    assert!(catalog.end_job(new.id, end.clone()).await.expect("end"));
    assert!(!catalog.end_job(new.id, end).await.expect("end"), "ends once");
    let (lines, total) = catalog
        .job_details(DetailQuery {
            job_id: new.id,
            types: vec![],
            by_type: false,
            descending: true,
            per_page: 1,
            page: 1,
        })
        .await
        .expect("details");
    assert_eq!(total, 2);
    assert_eq!(lines[0].detail.log_type, "EndImageServingPublish");
    assert!(
        !catalog.delete_job(6, new.id).await.expect("ask"),
        "an ended job is kept"
    );
}

#[tokio::test]
async fn jobs_a_crash_left_running_fail_at_the_next_start_and_scheduled_ones_wait() {
    let catalog = catalog().await;
    let running = catalog.submit_job(job("cut", None)).await.expect("submit");
    catalog.start_job(running.id).await.expect("start");
    let later = catalog
        .submit_job(job("later", Some("2999-01-01T00:00:00.000Z")))
        .await
        .expect("submit");
    assert_eq!(later.state, JobState::Scheduled);
    assert_eq!(
        catalog.fail_interrupted_jobs().await.expect("recover"),
        vec![running.id]
    );
    let failed = catalog.job(6, running.id).await.expect("job");
    assert_eq!(failed.state, JobState::Failed);
    assert!(failed.fatal && failed.ended_at.is_some());
    let waiting = catalog
        .jobs_in(JobFilter::default(), &[JobState::Scheduled])
        .await
        .expect("list");
    assert_eq!(waiting.iter().map(|j| j.id).collect::<Vec<_>>(), vec![later.id]);
    assert!(
        catalog.delete_job(6, later.id).await.expect("delete"),
        "a job that never started goes"
    );
    assert!(catalog.fail_interrupted_jobs().await.expect("again").is_empty());
}
