//! Crash loop: the real server binary on a data directory, under a
//! concurrent mixed load (copies with and without renders, `/is/image`,
//! uploads, renames, moves, deletes, folders), killed with SIGKILL at random
//! moments and restarted on the same directory. After every restart the
//! catalog passes SQLite's integrity check, the store holds exactly the
//! files the rows name, every acknowledged write is there (and every
//! acknowledged delete gone to the trash), and the server answers.
//!
//! `CRASH_SEED` repeats a run's choices (the seed is printed; timing still
//! varies), `CRASH_KILLS` sets the number of kills (default 20).

#[path = "../support/mod.rs"]
mod support;

mod check;
mod requests;
mod server;
mod workload;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use server::{Reply, Server};
use workload::{Asset, Content, Known, Rng, Stats, Worker, RENDERS, ROOT};

/// Concurrent workers, each with names of its own.
const WORKERS: usize = 4;

/// The kinds of write the workers send, each of which must have been
/// acknowledged at least once for the run to count.
const WRITES: &[&str] = &[
    "copyImage",
    "copyImage+render",
    "UploadFile",
    "renameAsset",
    "moveAsset",
    "deleteAsset",
    "createFolder",
    "deleteFolder",
];

/// The asset names and folder paths the embedded seed holds.
fn seeded() -> (Vec<String>, Vec<String>) {
    let seed: serde_json::Value = serde_json::from_str(ips_emulator::seed::EMBEDDED_JSON).expect("seed.json");
    let text = |v: &serde_json::Value| v.as_str().expect("a string").to_owned();
    let assets = seed["assets"]
        .as_array()
        .expect("assets")
        .iter()
        .map(|a| text(&a["name"]))
        .collect();
    let mut folders = Vec::new();
    for c in seed["companies"].as_array().expect("companies") {
        folders.push(text(&c["root_path"]));
        folders.extend(c["folders"].as_array().into_iter().flatten().map(text));
    }
    (assets, folders)
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}"))
    })
}

fn log_path(dir: &Path, run: usize) -> PathBuf {
    dir.join(format!("server-{run:02}.log"))
}

/// The last lines of a server log, for a failure message.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..].join("\n")
}

/// Fails the test with what a check found and the end of the server's log.
fn fail(seed: u64, run: usize, server: &Server, e: String) -> ! {
    panic!(
        "seed {seed}, after kill {run}: {e}\nserver log {}:\n{}",
        server.log.display(),
        tail(&server.log)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill_and_restart() {
    let seed = env_number("CRASH_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let kills = env_number("CRASH_KILLS").unwrap_or(20) as usize;
    assert!(kills > 0, "CRASH_KILLS must be at least 1");
    println!("crash loop: seed {seed} (CRASH_SEED={seed} repeats the choices), {kills} kills, {WORKERS} workers");
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");

    let mut server = Server::start(&data, log_path(dir.path(), 0)).await;
    let (known, calibration) = calibrate(&server, &data).await;
    let mut workers: Vec<Worker> = (0..WORKERS)
        .map(|i| Worker::new(format!("cw{i}-"), rng.next()))
        .collect();
    workers.push(calibration);
    if let Err(e) = verify(&server, &data, &known, &mut workers).await {
        fail(seed, 0, &server, e);
    }

    for run in 1..=kills {
        let calibration = workers.pop().expect("calibration");
        let delay = Duration::from_millis(20 + rng.below(1500));
        workers = load_then_kill(server, workers, &known, delay)
            .await
            .unwrap_or_else(|e| panic!("seed {seed}, before kill {run}: {e}"));
        workers.push(calibration);

        let started = Instant::now();
        server = Server::start(&data, log_path(dir.path(), run)).await;
        let restart = started.elapsed();
        match verify(&server, &data, &known, &mut workers).await {
            Ok(summary) => println!(
                "kill {run:2} after {:4} ms: restarted in {:4} ms; {summary}",
                delay.as_millis(),
                restart.as_millis()
            ),
            Err(e) => fail(seed, run, &server, e),
        }
    }
    server.kill();

    let mut total = Stats::default();
    for w in &workers {
        total.add(&w.stats);
    }
    let acknowledged: u64 = total.acknowledged.values().sum();
    println!(
        "{kills} of {kills} kills recovered; {acknowledged} writes acknowledged {:?}, {} reads; writes the kill left without a reply: {} had committed, {} had not",
        total.acknowledged, total.reads, total.interrupted_applied, total.interrupted_not_applied
    );
    assert!(acknowledged >= kills as u64, "the load hardly ran: {total:?}");
    let idle: Vec<&&str> = WRITES
        .iter()
        .filter(|k| !total.acknowledged.contains_key(**k))
        .collect();
    assert!(idle.is_empty(), "no {idle:?} was ever acknowledged: {total:?}");
    assert!(
        total.interrupted_applied + total.interrupted_not_applied > 0,
        "no kill caught a write in flight: {total:?}"
    );
}

/// Runs the workers against `server` for `delay`, then SIGKILLs it while
/// they are busy, and returns them once each has noticed. An exchange lost
/// before the kill is a failure: only the kill may cut one off.
async fn load_then_kill(
    server: Server,
    workers: Vec<Worker>,
    known: &Arc<Known>,
    delay: Duration,
) -> Result<Vec<Worker>, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let tasks: Vec<_> = workers
        .into_iter()
        .map(|w| tokio::spawn(w.run(server.addr, known.clone(), stop.clone())))
        .collect();
    tokio::time::sleep(delay).await;
    let killed_at = Instant::now();
    server.kill();
    stop.store(true, Ordering::SeqCst);
    let mut stopped = Vec::new();
    for task in tasks {
        let worker = task.await.map_err(|e| format!("worker task: {e}"))??;
        if let Some((at, what)) = &worker.lost_at {
            if *at < killed_at {
                return Err(format!("{what}: lost while the server ran"));
            }
        }
        stopped.push(worker);
    }
    Ok(stopped)
}

/// Makes one copy per rendering and reads what each stored, so that the
/// workers know every copy's bytes in advance; the copies stay, held by a
/// worker that sends nothing.
async fn calibrate(server: &Server, data: &Path) -> (Arc<Known>, Worker) {
    let photo = support::read(&support::root().join("fixtures/seed/images/macbookwin1.jpg"));
    for (i, modifier) in RENDERS.iter().enumerate() {
        match server::send(server.addr, &requests::copy(&format!("calib-{i}"), ROOT, modifier)).await {
            Reply::Answered(r) if r.status == 200 => {}
            Reply::Answered(r) => panic!("calibration copy {modifier}: HTTP {}: {}", r.status, r.text()),
            Reply::Lost(e) => panic!("calibration copy {modifier}: {e}"),
        }
    }
    let catalog = check::read_catalog(data).expect("read the catalog");
    let row = |name: &str| {
        catalog
            .rows
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    let source = Content::of(&photo);
    assert_eq!(row("macbookwin1").content, source, "the seed photo's row");
    let renders: Vec<Content> = (0..RENDERS.len())
        .map(|i| row(&format!("calib-{i}")).content.clone())
        .collect();
    let assets = (0..RENDERS.len())
        .map(|i| {
            let r = row(&format!("calib-{i}"));
            Asset {
                handle: Some(r.handle.clone()),
                name: r.name.clone(),
                folder: r.folder.clone(),
                content: r.content.clone(),
            }
        })
        .collect();
    (Arc::new(Known { source, renders }), Worker::fixed("calib-", assets))
}

/// Every check after a (re)start; a one-line summary, or what failed.
async fn verify(server: &Server, data: &Path, known: &Known, workers: &mut [Worker]) -> Result<String, String> {
    let catalog = check::read_catalog(data)?;
    let named: Vec<_> = catalog.rows.iter().chain(&catalog.trashed).cloned().collect();
    let files = check::store_matches_rows(&data.join("store"), &named)?;
    for w in workers.iter_mut() {
        w.reconcile(&catalog.rows, &catalog.folders)?;
    }
    let claimed = |name: &str| workers.iter().any(|w| name.starts_with(&w.prefix));
    let (seed_assets, seed_folders) = seeded();
    let stray: Vec<&str> = catalog
        .rows
        .iter()
        .map(|r| r.name.as_str())
        .filter(|n| !seed_assets.iter().any(|s| s == n) && !claimed(n))
        .collect();
    let stray_folders: Vec<&str> = catalog
        .folders
        .iter()
        .map(String::as_str)
        .filter(|f| !seed_folders.iter().any(|s| s == f) && !f.strip_prefix(ROOT).is_some_and(claimed))
        .collect();
    if !stray.is_empty() || !stray_folders.is_empty() {
        return Err(format!(
            "rows nobody wrote: assets {stray:?}, folders {stray_folders:?}"
        ));
    }
    baseline(server, known, workers).await?;
    Ok(format!(
        "{} assets, {} folders, {} stored files; integrity ok",
        catalog.rows.len(),
        catalog.folders.len(),
        files
    ))
}

/// The restarted server answers: health, the seed photo's bytes, and each
/// worker's first asset's bytes.
async fn baseline(server: &Server, known: &Known, workers: &[Worker]) -> Result<(), String> {
    let mut expected = vec![("/_emulator/health".to_owned(), None)];
    expected.push((format!("/is/image/{ROOT}macbookwin1"), Some(known.source.clone())));
    for asset in workers.iter().filter_map(|w| w.state.assets.first()) {
        expected.push((format!("/is/image/{ROOT}{}", asset.name), Some(asset.content.clone())));
    }
    for (target, content) in expected {
        match server::send(server.addr, &server::get(&target)).await {
            Reply::Answered(r) if r.status == 200 => {
                if content.as_ref().is_some_and(|c| *c != Content::of(&r.body)) {
                    return Err(format!("GET {target} served other bytes than {content:?}"));
                }
            }
            Reply::Answered(r) => return Err(format!("GET {target}: HTTP {}: {}", r.status, r.text())),
            Reply::Lost(e) => return Err(format!("GET {target}: {e}")),
        }
    }
    Ok(())
}
