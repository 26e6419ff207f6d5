//! One worker's share of the load, and the catalog it expects: every write
//! it sends is acknowledged (200: the expected state moves on), refused
//! (the test fails: every request is valid) or lost to the kill (the
//! outcome is unknown, so the state before and the state after are both
//! allowed until the next check finds which one holds). Workers use names
//! of their own, so no two of them touch the same asset or folder.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::requests;
use crate::server::{self, Reply};
use crate::support::{self, Response};

/// The company root, where the seed photo lives.
pub const ROOT: &str = "ApiTestCo/";

/// `urlModifier`s of rendered copies (each gives the same bytes every time).
pub const RENDERS: &[&str] = &["wid=64&fmt=png", "wid=100", "hei=50&fmt=png", "wid=120&rotate=90"];

/// SplitMix64: small, seedable, good enough to pick operations and moments.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn index(&mut self, len: usize) -> Option<usize> {
        (len > 0).then(|| self.below(len as u64) as usize)
    }
}

/// An image asset as the catalog should hold it.
#[derive(Clone, Debug)]
pub struct Asset {
    /// Unknown for an upload until a check reads it (the servlet answers
    /// with the job's handle only).
    pub handle: Option<String>,
    pub name: String,
    pub folder: String,
    pub content: Content,
}

/// A stored file: its content hash and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Content {
    pub hash: String,
    pub size: u64,
}

impl Content {
    pub fn of(bytes: &[u8]) -> Content {
        Content {
            hash: ips_emulator::store::content_hash(bytes),
            size: bytes.len() as u64,
        }
    }
}

/// What copies make: the seed photo's bytes, and each rendering's.
pub struct Known {
    pub source: Content,
    pub renders: Vec<Content>,
}

/// A catalog row, as the checks read it.
#[derive(Clone, Debug)]
pub struct Row {
    pub handle: String,
    pub name: String,
    pub folder: String,
    pub content: Content,
}

/// A worker's assets and folders.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub assets: Vec<Asset>,
    pub folders: BTreeSet<String>,
}

impl State {
    /// This state with every handle filled in from `rows`, if `rows` and
    /// `folders` are exactly this state.
    fn matched(&self, rows: &[&Row], folders: &BTreeSet<String>) -> Result<State, String> {
        if &self.folders != folders {
            return Err(format!("folders {folders:?}, expected {:?}", self.folders));
        }
        let missing: Vec<&str> = self
            .assets
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| !rows.iter().any(|r| r.name == *n))
            .collect();
        let unexpected: Vec<&str> = rows
            .iter()
            .map(|r| r.name.as_str())
            .filter(|n| !self.assets.iter().any(|a| a.name == *n))
            .collect();
        if !missing.is_empty() || !unexpected.is_empty() {
            return Err(format!("assets missing {missing:?}, unexpected {unexpected:?}"));
        }
        let mut out = self.clone();
        for a in &mut out.assets {
            let Some(row) = rows.iter().find(|r| r.name == a.name) else {
                unreachable!("every expected asset has a row");
            };
            let same_handle = a.handle.as_ref().is_none_or(|h| *h == row.handle);
            if row.folder != a.folder || row.content != a.content || !same_handle {
                return Err(format!("found {row:?}, expected {a:?}"));
            }
            a.handle = Some(row.handle.clone());
        }
        Ok(out)
    }
}

/// Counts over the whole run.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Acknowledged writes by kind (`copyImage`, `copyImage+render`, …).
    pub acknowledged: BTreeMap<String, u64>,
    pub reads: u64,
    /// Writes in flight at a kill that turned out to have committed.
    pub interrupted_applied: u64,
    /// Writes in flight at a kill that turned out not to have.
    pub interrupted_not_applied: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        for (kind, n) in &other.acknowledged {
            *self.acknowledged.entry(kind.clone()).or_default() += n;
        }
        self.reads += other.reads;
        self.interrupted_applied += other.interrupted_applied;
        self.interrupted_not_applied += other.interrupted_not_applied;
    }
}

/// One worker: its names start with `prefix`.
pub struct Worker {
    pub prefix: String,
    seq: u64,
    pub state: State,
    /// The write in flight when the connection was lost, and the state it
    /// leaves if it committed.
    pending: Option<(String, State)>,
    /// When this round's exchange was lost (it must not precede the kill).
    pub lost_at: Option<(Instant, String)>,
    rng: Rng,
    pub stats: Stats,
}

impl Worker {
    pub fn new(prefix: String, seed: u64) -> Worker {
        Worker {
            prefix,
            seq: 0,
            state: State::default(),
            pending: None,
            lost_at: None,
            rng: Rng::new(seed),
            stats: Stats::default(),
        }
    }

    /// Holds assets made outside any worker (the calibration copies).
    pub fn fixed(prefix: &str, assets: Vec<Asset>) -> Worker {
        let mut w = Worker::new(prefix.into(), 0);
        w.state.assets = assets;
        w
    }

    /// Sends requests until `stop` is set or an exchange is lost.
    pub async fn run(mut self, addr: SocketAddr, known: Arc<Known>, stop: Arc<AtomicBool>) -> Result<Worker, String> {
        self.lost_at = None;
        while !stop.load(Ordering::SeqCst) {
            if !self.step(addr, &known).await? {
                break;
            }
        }
        Ok(self)
    }

    /// Makes this worker's state the one `rows` and `folders` (all of the
    /// catalog's) show, which must be the expected state or, after a lost
    /// write, the state that write leaves.
    pub fn reconcile(&mut self, rows: &[Row], folders: &[String]) -> Result<(), String> {
        let mine: Vec<&Row> = rows.iter().filter(|r| r.name.starts_with(&self.prefix)).collect();
        let folder_prefix = format!("{ROOT}{}", self.prefix);
        let my_folders: BTreeSet<String> = folders
            .iter()
            .filter(|f| f.starts_with(&folder_prefix))
            .cloned()
            .collect();
        let pending = self.pending.take();
        let before = match self.state.matched(&mine, &my_folders) {
            Ok(state) => {
                self.stats.interrupted_not_applied += u64::from(pending.is_some());
                self.state = state;
                return Ok(());
            }
            Err(e) => e,
        };
        let Some((what, next)) = pending else {
            return Err(format!("{}: {before}", self.prefix));
        };
        let after = next.matched(&mine, &my_folders).map_err(|after| {
            format!(
                "{}: neither the state before the interrupted {what} ({before}) nor after it ({after})",
                self.prefix
            )
        })?;
        self.stats.interrupted_applied += 1;
        self.state = after;
        Ok(())
    }

    fn fresh(&mut self, kind: char) -> String {
        self.seq += 1;
        format!("{}{kind}{}", self.prefix, self.seq)
    }

    fn some_folder(&mut self) -> String {
        let folders: Vec<&String> = self.state.folders.iter().collect();
        match self.rng.index(folders.len() + 1) {
            Some(i) if i < folders.len() => folders[i].clone(),
            _ => ROOT.to_owned(),
        }
    }

    /// An asset whose handle is known, by index.
    fn some_handled(&mut self) -> Option<usize> {
        let handled: Vec<usize> = (0..self.state.assets.len())
            .filter(|&i| self.state.assets[i].handle.is_some())
            .collect();
        self.rng.index(handled.len()).map(|i| handled[i])
    }

    /// One operation; `Ok(false)` once an exchange was lost.
    async fn step(&mut self, addr: SocketAddr, known: &Known) -> Result<bool, String> {
        let roll = self.rng.below(100);
        let few = self.state.assets.len() < 3;
        let many = self.state.assets.len() > 40;
        match roll {
            _ if few => self.copy(addr, known, None).await,
            0..=17 if !many => self.copy(addr, known, None).await,
            18..=32 if !many => {
                let render = self.rng.below(RENDERS.len() as u64) as usize;
                self.copy(addr, known, Some(render)).await
            }
            33..=42 if !many => self.upload(addr).await,
            43..=52 => self.serve(addr).await,
            53..=62 => self.rename(addr).await,
            63..=70 => self.move_asset(addr).await,
            71..=88 => self.delete(addr).await,
            89..=94 if self.state.folders.len() < 3 => self.create_folder(addr).await,
            89..=99 => self.delete_folder(addr).await,
            _ => self.delete(addr).await,
        }
    }

    /// Sends a write whose success leaves `next`: the reply if it was
    /// acknowledged, `None` if the exchange was lost.
    async fn write(
        &mut self,
        addr: SocketAddr,
        what: String,
        raw: Vec<u8>,
        next: State,
    ) -> Result<Option<Response>, String> {
        self.pending = Some((what.clone(), next));
        match server::send(addr, &raw).await {
            Reply::Answered(r) if r.status == 200 => {
                if let Some((_, next)) = self.pending.take() {
                    self.state = next;
                }
                // The operation, the first word of `what`.
                let kind = what.split(' ').next().unwrap_or_default().to_owned();
                *self.stats.acknowledged.entry(kind).or_default() += 1;
                Ok(Some(r))
            }
            Reply::Answered(r) => Err(format!("{what} refused: HTTP {}: {}", r.status, r.text())),
            Reply::Lost(e) => {
                self.lost_at = Some((Instant::now(), format!("{what}: {e}")));
                Ok(None)
            }
        }
    }

    async fn copy(&mut self, addr: SocketAddr, known: &Known, render: Option<usize>) -> Result<bool, String> {
        let name = self.fresh('a');
        let folder = self.some_folder();
        let (modifier, content) = match render {
            Some(i) => (RENDERS[i], known.renders[i].clone()),
            None => ("", known.source.clone()),
        };
        let mut next = self.state.clone();
        next.assets.push(Asset {
            handle: None,
            name: name.clone(),
            folder: folder.clone(),
            content,
        });
        let kind = if modifier.is_empty() {
            "copyImage"
        } else {
            "copyImage+render"
        };
        let what = format!("{kind} {name} ({modifier:?}) into {folder}");
        let Some(reply) = self
            .write(addr, what, requests::copy(&name, &folder, modifier), next)
            .await?
        else {
            return Ok(false);
        };
        if let Some(last) = self.state.assets.last_mut() {
            last.handle = Some(support::returned_handle(&reply));
        }
        Ok(true)
    }

    async fn upload(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let name = self.fresh('a');
        let folder = self.some_folder();
        let bytes = self.fresh_png();
        let mut next = self.state.clone();
        next.assets.push(Asset {
            handle: None,
            name: name.clone(),
            folder: folder.clone(),
            content: Content::of(&bytes),
        });
        let raw = requests::upload(&format!("job-{name}"), &folder, &format!("{name}.png"), &bytes);
        let what = format!("UploadFile {name}.png into {folder}");
        Ok(self.write(addr, what, raw, next).await?.is_some())
    }

    /// A small PNG of random pixels: bytes no other asset has.
    fn fresh_png(&mut self) -> Vec<u8> {
        let seed = self.rng.next();
        let img = image::RgbImage::from_fn(12, 8, |x, y| {
            let v = seed.rotate_left(x * 8 + y) as u8;
            image::Rgb([v, v.wrapping_mul(3), (x * 20 + y) as u8])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).expect("encode png");
        out.into_inner()
    }

    async fn serve(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let width = 20 + self.rng.below(300);
        let target = match self.rng.index(self.state.assets.len()) {
            Some(i) if self.rng.below(2) == 0 => format!("/is/image/{ROOT}{}?wid={width}", self.state.assets[i].name),
            _ => format!("/is/image/{ROOT}macbookwin1?wid={width}"),
        };
        match server::send(addr, &server::get(&target)).await {
            Reply::Answered(r) if r.status == 200 => {
                self.stats.reads += 1;
                Ok(true)
            }
            Reply::Answered(r) => Err(format!("GET {target}: HTTP {}: {}", r.status, r.text())),
            Reply::Lost(e) => {
                self.lost_at = Some((Instant::now(), format!("GET {target}: {e}")));
                Ok(false)
            }
        }
    }

    async fn rename(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let Some(i) = self.some_handled() else {
            return self.serve(addr).await;
        };
        let name = self.fresh('a');
        let mut next = self.state.clone();
        let asset = &mut next.assets[i];
        let handle = asset.handle.clone().unwrap_or_default();
        let what = format!("renameAsset {} ({handle}) to {name}", asset.name);
        asset.name = name.clone();
        Ok(self
            .write(addr, what, requests::rename(&handle, &name), next)
            .await?
            .is_some())
    }

    async fn move_asset(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let Some(i) = self.some_handled() else {
            return self.serve(addr).await;
        };
        let folder = self.some_folder();
        if folder == self.state.assets[i].folder {
            return self.serve(addr).await;
        }
        let mut next = self.state.clone();
        let asset = &mut next.assets[i];
        let handle = asset.handle.clone().unwrap_or_default();
        let what = format!("moveAsset {} ({handle}) to {folder}", asset.name);
        asset.folder = folder.clone();
        Ok(self
            .write(addr, what, requests::move_to(&handle, &folder), next)
            .await?
            .is_some())
    }

    async fn delete(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let Some(i) = self.some_handled() else {
            return self.serve(addr).await;
        };
        let mut next = self.state.clone();
        let asset = next.assets.remove(i);
        let handle = asset.handle.unwrap_or_default();
        let what = format!("deleteAsset {} ({handle})", asset.name);
        Ok(self.write(addr, what, requests::delete(&handle), next).await?.is_some())
    }

    async fn create_folder(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let path = format!("{ROOT}{}/", self.fresh('f'));
        let mut next = self.state.clone();
        next.folders.insert(path.clone());
        let what = format!("createFolder {path}");
        Ok(self
            .write(addr, what, requests::create_folder(&path), next)
            .await?
            .is_some())
    }

    /// Deletes a folder and, with it, every asset in it.
    async fn delete_folder(&mut self, addr: SocketAddr) -> Result<bool, String> {
        let folders: Vec<String> = self.state.folders.iter().cloned().collect();
        let Some(i) = self.rng.index(folders.len()) else {
            return self.create_folder(addr).await;
        };
        let path = folders[i].clone();
        let mut next = self.state.clone();
        next.folders.remove(&path);
        next.assets.retain(|a| a.folder != path);
        let gone = self.state.assets.len() - next.assets.len();
        let what = format!("deleteFolder {path} (with {gone} assets)");
        Ok(self
            .write(addr, what, requests::delete_folder(&path), next)
            .await?
            .is_some())
    }
}
