//! `ips-emulator replay` as a library call against a real server: the
//! project's own golden fixtures pass through it, and a tampered or
//! unreachable suite is reported as such.

use std::path::{Path, PathBuf};

use ips_emulator::replay::{self, Reset};

use crate::support::{self, TestServer};

fn options(server: &TestServer, dir: &Path, reset: Reset) -> replay::Options {
    replay::Options {
        dir: dir.to_owned(),
        url: format!("http://{}/scene7/services/IpsApiService", server.addr),
        reset,
        credentials: None,
    }
}

async fn run(options: &replay::Options) -> (Result<replay::Summary, replay::Error>, String) {
    let mut out = Vec::new();
    let result = replay::run(options, &mut out).await;
    (result, String::from_utf8(out).expect("utf-8 report"))
}

fn count_cases(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            n += count_cases(&path);
        } else if path.to_string_lossy().ends_with(".request.xml") {
            n += 1;
        }
    }
    n
}

/// Copies some fixture cases (every file of each) into a new directory.
fn suite_of(cases: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let fixtures = support::root().join("fixtures/soap/copyImage");
    for entry in std::fs::read_dir(&fixtures).expect("read_dir").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if cases.iter().any(|c| name.starts_with(&format!("{c}."))) {
            std::fs::copy(entry.path(), dir.path().join(&name)).expect("copy");
        }
    }
    dir
}

fn edit(path: PathBuf, from: &str, to: &str) {
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains(from), "{} has no {from}", path.display());
    std::fs::write(&path, text.replace(from, to)).expect("write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_fixture_passes_through_replay() {
    let server = TestServer::in_memory().await;
    let dir = support::root().join("fixtures/soap");
    let (result, report) = run(&options(&server, &dir, Reset::Each)).await;
    let summary = result.unwrap_or_else(|e| panic!("{e}\n{report}"));
    assert_eq!(summary.failed, Vec::<String>::new(), "{report}");
    assert_eq!(summary.passed, count_cases(&dir), "{report}");
    assert_eq!(replay::exit_code(&Ok(summary)), replay::EXIT_PASSED);
    assert!(report.contains("ok   copyImage/01-doc-example\n"), "{report}");
    assert!(report.contains("ok   invalid/27-utf16-bom\n"), "{report}");
    assert!(
        report.ends_with(&format!("{} passed, 0 failed\n", count_cases(&dir))),
        "{report}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_expected_reply_fails_with_a_diff() {
    let server = TestServer::in_memory().await;
    let suite = suite_of(&["01-doc-example", "41-wrong-password"]);
    edit(
        suite.path().join("01-doc-example.response.xml"),
        "a|943|1|580",
        "a|999|1|999",
    );
    edit(
        suite.path().join("41-wrong-password.response.http"),
        "HTTP 500",
        "HTTP 200",
    );
    let (result, report) = run(&options(&server, suite.path(), Reset::Each)).await;
    let summary = result.unwrap_or_else(|e| panic!("{e}\n{report}"));
    assert_eq!(summary.failed, ["01-doc-example", "41-wrong-password"], "{report}");
    assert_eq!(replay::exit_code(&Ok(summary)), replay::EXIT_FAILED);
    assert!(report.contains("FAIL 01-doc-example\n"), "{report}");
    assert!(
        report.contains(r#"-       {http://www.scene7.com/IpsApi/xsd/2008-01-15}assetHandle = "a|999|1|999""#),
        "{report}"
    );
    assert!(
        report.contains(r#"+       {http://www.scene7.com/IpsApi/xsd/2008-01-15}assetHandle = "a|943|1|580""#),
        "{report}"
    );
    assert!(report.contains("HTTP status: expected 200, got 500"), "{report}");
    assert!(report.ends_with("0 passed, 2 failed\n"), "{report}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_any_marker_matches_a_variable_value() {
    let server = TestServer::in_memory().await;
    // An earlier copy moves the handle sequence on: the recorded handle
    // no longer comes back.
    let earlier = support::copy_image("earlier", "");
    support::exchange(
        server.addr,
        &support::soap_request(earlier.as_bytes(), support::SOAP_HEADERS),
    )
    .await;
    let suite = suite_of(&["01-doc-example"]);
    let (result, report) = run(&options(&server, suite.path(), Reset::Never)).await;
    assert_eq!(replay::exit_code(&result), replay::EXIT_FAILED, "{report}");
    assert!(
        report.contains(r#"+       {http://www.scene7.com/IpsApi/xsd/2008-01-15}assetHandle = "a|944|1|581""#),
        "{report}"
    );
    // With the handle marked {{any}} the same reply matches.
    edit(
        suite.path().join("01-doc-example.response.xml"),
        "a|943|1|580",
        "{{any}}",
    );
    // Under another name, since the first run's copy took this one.
    edit(
        suite.path().join("01-doc-example.request.xml"),
        "Copy_macbookwin1",
        "Copy_macbookwin1_again",
    );
    let (result, report) = run(&options(&server, suite.path(), Reset::Never)).await;
    assert_eq!(replay::exit_code(&result), replay::EXIT_PASSED, "{report}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_once_makes_a_run_repeatable() {
    let server = TestServer::in_memory().await;
    let suite = suite_of(&["01-doc-example", "41-wrong-password"]);
    let (first, report) = run(&options(&server, suite.path(), Reset::Never)).await;
    assert_eq!(
        replay::exit_code(&first),
        replay::EXIT_PASSED,
        "a fresh server: {report}"
    );
    let again = run(&options(&server, suite.path(), Reset::Never)).await;
    assert_eq!(
        replay::exit_code(&again.0),
        replay::EXIT_FAILED,
        "names taken: {}",
        again.1
    );
    for _ in 0..2 {
        let (result, report) = run(&options(&server, suite.path(), Reset::Once)).await;
        assert_eq!(replay::exit_code(&result), replay::EXIT_PASSED, "{report}");
    }
    server.stop().await;
}

#[tokio::test]
async fn credentials_fill_placeholders() {
    let server = TestServer::in_memory().await;
    let suite = suite_of(&["01-doc-example"]);
    edit(
        suite.path().join("01-doc-example.request.xml"),
        "<password>ips-emulator</password>",
        "<password>{{password}}</password>",
    );
    let mut opts = options(&server, suite.path(), Reset::Once);
    let (result, report) = run(&opts).await;
    assert_eq!(replay::exit_code(&result), replay::EXIT_FAILED, "{report}");
    assert!(report.contains("uses {{password}}"), "{report}");
    opts.credentials = Some(replay::Credentials {
        user: "ipsuser@ips.test".into(),
        password: "ips-emulator".into(),
    });
    let (result, report) = run(&opts).await;
    assert_eq!(replay::exit_code(&result), replay::EXIT_PASSED, "{report}");
    server.stop().await;
}

#[tokio::test]
async fn a_suite_that_cannot_run_exits_2() {
    let server = TestServer::in_memory().await;
    let empty = tempfile::tempdir().expect("tempdir");
    let (result, _) = run(&options(&server, empty.path(), Reset::Never)).await;
    assert!(matches!(result, Err(replay::Error::NoCases(_))), "{result:?}");
    assert_eq!(replay::exit_code(&result), replay::EXIT_CANNOT_RUN);

    // A port nothing listens on any more.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let suite = suite_of(&["01-doc-example"]);
    let mut unreachable = options(&server, suite.path(), Reset::Never);
    unreachable.url = format!("http://{closed}/scene7/services/IpsApiService");
    let (result, _) = run(&unreachable).await;
    assert_eq!(replay::exit_code(&result), replay::EXIT_CANNOT_RUN, "{result:?}");
    unreachable.reset = Reset::Each;
    let (result, _) = run(&unreachable).await;
    assert_eq!(replay::exit_code(&result), replay::EXIT_CANNOT_RUN, "{result:?}");

    let mut bad_url = options(&server, suite.path(), Reset::Never);
    bad_url.url = "https://localhost/".into();
    assert_eq!(replay::exit_code(&run(&bad_url).await.0), replay::EXIT_CANNOT_RUN);
    server.stop().await;
}

#[tokio::test]
async fn reset_refused_by_a_server_without_the_api_exits_2() {
    let mut opts = support::options(ips_emulator::DataLocation::InMemory, ips_emulator::Limits::default());
    opts.emulator_api = false;
    let server = TestServer::start(opts).await;
    let suite = suite_of(&["01-doc-example"]);
    let (result, _) = run(&options(&server, suite.path(), Reset::Once)).await;
    let err = result.expect_err("reset refused");
    assert!(err.to_string().contains("404"), "{err}");
    server.stop().await;
}

/// Adobe's 2008-01-15 examples chain into one story (log in, find the
/// company and its folders, copy, look the copy up, set its modifiers, move,
/// search, delete, look again, restore from the trash, delete and empty the
/// trash): `fixtures/story/` replays it in order after
/// one reset. Run twice on the same server, it passes both times, so a reset
/// gives the second run the same handles.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doc_story_replays_in_order_and_repeats_after_a_reset() {
    let server = TestServer::in_memory().await;
    let dir = support::root().join("fixtures/story");
    for run_number in 1..=2 {
        let (result, report) = run(&options(&server, &dir, Reset::Once)).await;
        let summary = result.unwrap_or_else(|e| panic!("run {run_number}: {e}\n{report}"));
        assert_eq!(summary.failed, Vec::<String>::new(), "run {run_number}:\n{report}");
        assert_eq!(summary.passed, count_cases(&dir), "run {run_number}:\n{report}");
    }
    // Without the reset the story cannot repeat: the seed's image it copies
    // was emptied from the trash.
    let (result, report) = run(&options(&server, &dir, Reset::Never)).await;
    let summary = result.unwrap_or_else(|e| panic!("{e}\n{report}"));
    assert!(!summary.failed.is_empty(), "{report}");
    server.stop().await;
}

/// The metadata story of `fixtures/metadata/` (define fields, set values
/// one asset and a batch at a time, search by metadata with every
/// operator, tags, trash, restore, empty, delete values and a field),
/// replayed in order after one reset, twice: the second run gets the same
/// handles and answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_metadata_story_replays_in_order_and_repeats_after_a_reset() {
    let server = TestServer::in_memory().await;
    let dir = support::root().join("fixtures/metadata");
    for run_number in 1..=2 {
        let (result, report) = run(&options(&server, &dir, Reset::Once)).await;
        let summary = result.unwrap_or_else(|e| panic!("run {run_number}: {e}\n{report}"));
        assert_eq!(summary.failed, Vec::<String>::new(), "run {run_number}:\n{report}");
        assert_eq!(summary.passed, count_cases(&dir), "run {run_number}:\n{report}");
    }
    // Without the reset the fields it defines already exist.
    let (result, report) = run(&options(&server, &dir, Reset::Never)).await;
    let summary = result.unwrap_or_else(|e| panic!("{e}\n{report}"));
    assert!(!summary.failed.is_empty(), "{report}");
    server.stop().await;
}

/// A server that keeps every job Running for 400 ms, longer than `#poll`'s
/// interval, so a story's polling step passes only by sending again.
async fn holding_server() -> TestServer {
    let limits = ips_emulator::Limits {
        job_hold: std::time::Duration::from_millis(400),
        ..ips_emulator::Limits::default()
    };
    TestServer::start(support::options(ips_emulator::DataLocation::InMemory, limits)).await
}

/// The job flows of `fixtures/jobs/` (ingest by URL from the server itself,
/// poll, publish, fetch; export, poll the log, download the archive and
/// list it; sources that fail or are refused; reprocess and the audit
/// logs), each replayed in order after one reset, twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_stories_replay_with_polling() {
    let server = holding_server().await;
    let root = support::root().join("fixtures/jobs");
    let mut flows: Vec<_> = std::fs::read_dir(&root)
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    flows.sort();
    assert_eq!(flows.len(), 4, "{flows:?}");
    for flow in &flows {
        for run_number in 1..=2 {
            let (result, report) = run(&options(&server, flow, Reset::Once)).await;
            let summary = result.unwrap_or_else(|e| panic!("{}: {e}\n{report}", flow.display()));
            assert_eq!(
                summary.failed,
                Vec::<String>::new(),
                "{} run {run_number}:\n{report}",
                flow.display()
            );
            assert_eq!(summary.passed, count_cases(flow), "{report}");
        }
    }
    server.stop().await;
}

/// Without `#poll`, the step that waits for the export's end sees it still
/// running and fails, and so does the download of an archive not yet
/// written; a listing that differs is reported entry by entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_polling_a_running_job_fails_the_story() {
    let server = holding_server().await;
    let suite = tempfile::tempdir().expect("tempdir");
    let flow = support::root().join("fixtures/jobs/2-export");
    for entry in std::fs::read_dir(&flow).expect("read_dir").flatten() {
        std::fs::copy(entry.path(), suite.path().join(entry.file_name())).expect("copy");
    }
    let polling = suite.path().join("02-getJobLogDetails-until-ended.request.http");
    edit(polling.clone(), "#poll 60", "# no polling");
    let (result, report) = run(&options(&server, suite.path(), Reset::Once)).await;
    let summary = result.unwrap_or_else(|e| panic!("{e}\n{report}"));
    assert_eq!(
        summary.failed,
        ["02-getJobLogDetails-until-ended", "03-download-archive"],
        "{report}"
    );
    assert!(report.contains("HTTP status: expected 200, got 404"), "{report}");

    edit(polling, "# no polling", "#poll 60");
    edit(
        suite.path().join("03-download-archive.response.entries"),
        "macbookwin1.jpg",
        "other.jpg",
    );
    let (result, report) = run(&options(&server, suite.path(), Reset::Once)).await;
    let summary = result.unwrap_or_else(|e| panic!("{e}\n{report}"));
    assert_eq!(summary.failed, ["03-download-archive"], "{report}");
    assert!(report.contains("archive entries differ"), "{report}");
    assert!(report.contains("112525 2745d9f4 macbookwin1.jpg"), "{report}");
    server.stop().await;
}
