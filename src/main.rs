//! The `ips-emulator` command line.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use ips_emulator::http::{TlsIdentity, TlsListener};
use ips_emulator::{outbound, DataLocation, Limits, Options, SeedSource};

/// mimalloc serves every allocation in the process: Rust's through this
/// declaration, C's (SQLite's) through the crate's `override` feature. Each
/// copyImage allocates and frees well over a hundred buffers (the XML
/// tree, hyper's read buffer, SQLite's pages and savepoint journal), and
/// glibc's allocator spent about a fifth of a request's CPU time on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A local emulator of Adobe Scene7's IPS SOAP API.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the IPS API.
    Serve(Box<ServeArgs>),
    /// Read a password on standard input and print its argon2 hash, for
    /// `password_hash` in a seed file.
    HashPassword,
    /// Render image files with Image Serving commands exactly as copyImage
    /// renders a copy, writing `<name>.<format>` files to a directory.
    Render(RenderArgs),
    /// Post recorded SOAP requests (`*.request.xml` under DIR) to a server
    /// and compare its replies with the recorded ones. Exit status 0: all
    /// matched; 1: some did not; 2: could not run.
    Replay(ReplayArgs),
    /// Print a SharinPix API token: the claims signed with HS256 under a
    /// secret, `iss` set to the secret id, as the official clients sign.
    SharinpixToken(SharinPixTokenArgs),
}

#[derive(clap::Args)]
struct SharinPixTokenArgs {
    /// The claims, a JSON object, e.g. '{"admin":true}' or
    /// '{"abilities":{"00100000123BB124":{"Access":{"image_duplicate":true}}}}'.
    #[arg(long, default_value = r#"{"admin":true}"#)]
    claims: String,
    /// The secret id (the demo seed's: sharinpix-demo).
    #[arg(long, default_value = "sharinpix-demo")]
    id: String,
    /// The secret (the demo seed's: ips-emulator).
    #[arg(
        long,
        env = "SHARINPIX_SECRET",
        default_value = "ips-emulator",
        hide_env_values = true
    )]
    secret: String,
    /// Add `exp` this many seconds from now (none by default).
    #[arg(long)]
    expires_in: Option<u64>,
    /// Add `iat` (now).
    #[arg(long)]
    iat: bool,
    /// Leave `iss` out (the server then tries every secret), as the
    /// tokens in SharinPix's API documents are.
    #[arg(long)]
    no_iss: bool,
}

#[derive(clap::Args)]
struct ReplayArgs {
    /// Fixture directory, searched recursively (format: fixtures/soap/README.md).
    dir: PathBuf,
    /// The SOAP endpoint, e.g. http://127.0.0.1:8080/scene7/services/IpsApiService.
    #[arg(long)]
    url: String,
    /// POST /_emulator/reset on the same host before the first case.
    #[arg(long, conflicts_with = "reset_each")]
    reset: bool,
    /// POST /_emulator/reset before every case, so each sees a fresh seed.
    #[arg(long)]
    reset_each: bool,
    /// Login for {{user}} (and {{basic}}) in the requests.
    #[arg(long, env = "IPS_REPLAY_USER", requires = "password")]
    user: Option<String>,
    /// Password for {{password}} (and {{basic}}) in the requests.
    #[arg(long, env = "IPS_REPLAY_PASSWORD", requires = "user", hide_env_values = true)]
    password: Option<String>,
}

#[derive(clap::Args)]
struct RenderArgs {
    /// Image Serving commands, as in copyImage's urlModifier.
    #[arg(long)]
    modifier: String,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Largest reply image in pixels (Image Serving's MaxPix).
    #[arg(long, env = "IPS_MAX_PIX", default_value_t = Limits::default().render.plan.max_reply_pixels)]
    max_pix: u64,
    /// Also print each render's estimated peak memory (what it reserves
    /// from the server's budget) and how much the process's peak resident
    /// memory grew while it ran (Linux).
    #[arg(long)]
    memory: bool,
    /// Source image files.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "IPS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Also serve every route over HTTPS on this address.
    #[arg(long, env = "IPS_TLS_LISTEN", value_name = "ADDR")]
    tls_listen: Option<SocketAddr>,
    /// The HTTPS listener's certificate chain (PEM). Without it (and
    /// --tls-key), a self-signed certificate for localhost, 127.0.0.1 and
    /// ::1 is made once and kept in the --tls-cert-out directory.
    #[arg(long, env = "IPS_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The HTTPS listener's private key (PEM), with --tls-cert.
    #[arg(long, env = "IPS_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Where the self-signed certificate (localhost.pem) and its key are
    /// kept. Default: <data-dir>/tls, or with --in-memory
    /// <temp dir>/ips-emulator-tls.
    #[arg(long, env = "IPS_TLS_CERT_OUT", value_name = "DIR", conflicts_with = "tls_cert")]
    tls_cert_out: Option<PathBuf>,
    /// Directory for the catalog and image files (created if missing).
    #[arg(long, env = "IPS_DATA_DIR", default_value = "./ips-data")]
    data_dir: PathBuf,
    /// A shared catalog on PostgreSQL, `postgres://user:password@host/db`,
    /// instead of SQLite under --data-dir; any number of instances may use
    /// the same one (README, "Sharing one catalog").
    #[arg(long, env = "IPS_CATALOG", value_name = "URL", value_parser = catalog_url)]
    catalog: Option<String>,
    /// Keep everything in memory; write nothing to disk.
    #[arg(long, env = "IPS_IN_MEMORY")]
    in_memory: bool,
    /// Seed directory applied to an empty catalog (default: the built-in demo seed).
    #[arg(long, env = "IPS_SEED")]
    seed: Option<PathBuf>,
    /// Log format.
    #[arg(long, env = "IPS_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Largest request body in bytes, compressed or not.
    #[arg(long, env = "IPS_MAX_BODY_BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Largest image a urlModifier or /is/image request may produce, in
    /// pixels (Image Serving's MaxPix); no side may exceed 16384 either.
    #[arg(long, env = "IPS_MAX_PIX", default_value_t = Limits::default().render.plan.max_reply_pixels)]
    max_pix: u64,
    /// Bytes all renders in progress may hold together (suffixes K, M, G
    /// allowed); a render queues until its estimated peak fits, and one
    /// that could never fit is refused. Default: a quarter of the
    /// machine's memory, at least 1G.
    #[arg(long, env = "IPS_RENDER_MEMORY", value_parser = parse_bytes)]
    render_memory: Option<u64>,
    /// Requests handled at once; past it, a request is answered "busy"
    /// (HTTP 503) without being read.
    #[arg(long, env = "IPS_MAX_IN_FLIGHT", default_value_t = Limits::default().max_in_flight)]
    max_in_flight: usize,
    /// Milliseconds a request may wait for the catalog, a CPU or render
    /// memory before it is answered "busy" (HTTP 503); its work never
    /// starts.
    #[arg(long, env = "IPS_MAX_WAIT_MS", default_value_t = Limits::default().max_wait.as_millis() as u64, value_parser = clap::value_parser!(u64).range(1..))]
    max_wait_ms: u64,
    /// Keep each submitted job Running at least this many milliseconds, so
    /// that a client's polling loop sees it running (by default a job takes
    /// as long as its work).
    #[arg(long, env = "IPS_JOB_HOLD", default_value_t = 0)]
    job_hold: u64,
    /// Kameleoon's request rate limits per API client, as `SHORT,HOURLY`:
    /// at most SHORT requests in any 10 seconds and HOURLY in any hour
    /// (Kameleoon documents 50 and 1000); 0 lifts a limit.
    #[arg(long, env = "IPS_KAMELEOON_RATE", default_value = "50,1000", value_parser = parse_rate)]
    kameleoon_rate: (u32, u32),
    /// Do not serve /_emulator/reset, /_emulator/requests and
    /// /_emulator/faults (404), nor keep the request journal;
    /// /_emulator/health stays. The environment
    /// variable takes true or false.
    #[arg(long = "no-emulator-api", env = "IPS_EMULATOR_API", action = clap::ArgAction::SetFalse)]
    emulator_api: bool,
    /// Serve at /is/image only assets a publish job has published (others
    /// get 403), as Scene7's Image Server does. The environment variable
    /// takes true or false.
    #[arg(long, env = "IPS_REQUIRE_PUBLISH")]
    require_publish: bool,
    /// A host outbound requests (a job's source URL, its callback) may go
    /// to: a hostname, *.domain, an IP address or CIDR range, or loopback,
    /// each with an optional :PORT. Repeatable, or comma-separated.
    /// Default: loopback only; giving any replaces it.
    #[arg(
        long = "fetch-allow",
        env = "IPS_FETCH_ALLOW",
        value_name = "ENTRY",
        value_delimiter = ','
    )]
    fetch_allow: Vec<String>,
    /// A PEM file of certificates that outbound https requests trust as
    /// roots besides the built-in (Mozilla's) ones. Repeatable.
    #[arg(long = "fetch-ca", env = "IPS_FETCH_CA", value_name = "FILE")]
    fetch_ca: Vec<PathBuf>,
}

/// A byte count, with an optional K, M or G (binary) suffix.
fn parse_bytes(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, shift) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 10),
        Some((i, 'm' | 'M')) => (&s[..i], 20),
        Some((i, 'g' | 'G')) => (&s[..i], 30),
        _ => (s, 0),
    };
    let n: u64 = digits.trim().parse().map_err(|_| format!("not a byte count: {s}"))?;
    n.checked_mul(1 << shift)
        .filter(|&b| b >= 1 << 20)
        .ok_or_else(|| format!("{s} is out of range (at least 1M)"))
}

/// The limits with the reply-size cap replaced.
fn limits_with_max_pix(max_pix: u64) -> Limits {
    let mut limits = Limits::default();
    limits.render.plan.max_reply_pixels = max_pix;
    limits
}

fn init_logging(format: LogFormat) {
    // `IPS_LOG` takes tracing's filter syntax, e.g. `warn` or `ips_emulator=debug`.
    let filter = tracing_subscriber::EnvFilter::try_from_env("IPS_LOG").unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    // Each registration stands alone: a shell that starts the service in the
    // background ignores SIGINT, and that must not cost us SIGTERM.
    let mut term = signal(SignalKind::terminate())
        .map_err(|e| tracing::warn!(error = %e, "no SIGTERM handler"))
        .ok();
    let mut int = signal(SignalKind::interrupt())
        .map_err(|e| tracing::warn!(error = %e, "no SIGINT handler"))
        .ok();
    tokio::select! {
        Some(_) = async { term.as_mut()?.recv().await } => {},
        Some(_) = async { int.as_mut()?.recv().await } => {},
        else => std::future::pending::<()>().await,
    }
    tracing::info!("shutdown requested");
}

/// The outbound client's settings from the `--fetch-*` flags. A fetched
/// file is held to the request body limit, as an uploaded one is.
fn fetch_settings(args: &ServeArgs) -> Result<outbound::Settings, String> {
    let allow = match args.fetch_allow.as_slice() {
        [] => outbound::AllowList::loopback(),
        entries => outbound::AllowList::parse(entries).map_err(|e| e.to_string())?,
    };
    Ok(outbound::Settings {
        policy: outbound::Policy {
            allow,
            max_bytes: args.max_body_bytes as u64,
            ..outbound::Policy::default()
        },
        ca_files: args.fetch_ca.clone(),
    })
}

/// Accepts PostgreSQL URLs only: SQLite is chosen by leaving the flag out.
fn catalog_url(s: &str) -> Result<String, String> {
    if s.starts_with("postgres://") || s.starts_with("postgresql://") {
        Ok(s.to_owned())
    } else {
        Err("expected postgres://user:password@host:port/database".to_owned())
    }
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    init_logging(args.log_format);
    let fetch = fetch_settings(&args)?;
    tracing::info!(allow = %fetch.policy.allow, "outbound requests may go to these hosts");
    let tls = tls_listener(&args).await?;
    let options = Options {
        data: if args.in_memory {
            DataLocation::InMemory
        } else {
            DataLocation::Dir(args.data_dir.clone())
        },
        catalog: args.catalog.clone(),
        seed: args.seed.map_or(SeedSource::Embedded, SeedSource::Dir),
        limits: Limits {
            max_body_bytes: args.max_body_bytes,
            render_memory: args
                .render_memory
                .unwrap_or_else(ips_emulator::memory::Memory::default_bytes),
            max_in_flight: args.max_in_flight.max(1),
            max_wait: std::time::Duration::from_millis(args.max_wait_ms),
            require_publish: args.require_publish,
            job_hold: std::time::Duration::from_millis(args.job_hold),
            kameleoon_rate: args.kameleoon_rate,
            ..limits_with_max_pix(args.max_pix)
        },
        emulator_api: args.emulator_api,
        fetch,
    };
    let (state, worker) = ips_emulator::open(&options).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%addr, "serving IPS API at http://{addr}/scene7/services/IpsApiService");
    ips_emulator::run_with_tls(listener, tls, state, shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    // The state is gone with `run`; wait for the catalog to close its file.
    tokio::task::spawn_blocking(move || worker.join())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("stopped");
    Ok(())
}

/// The HTTPS listener, if `--tls-listen` asks for one: bound, with the
/// certificate given or the self-signed one (whose file is logged, for
/// clients to trust).
async fn tls_listener(args: &ServeArgs) -> Result<Option<TlsListener>, String> {
    let Some(addr) = args.tls_listen else {
        return Ok(None);
    };
    let identity = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => TlsIdentity::from_files(cert, key),
        _ => {
            let dir = args.tls_cert_out.clone().unwrap_or_else(|| match args.in_memory {
                true => std::env::temp_dir().join("ips-emulator-tls"),
                false => args.data_dir.join("tls"),
            });
            TlsIdentity::self_signed(&dir)
        }
    }
    .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("listen on {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        addr = %bound,
        certificate = %identity.cert_path.display(),
        "serving every route over HTTPS at https://{bound}/; clients trust it through the certificate file"
    );
    Ok(Some(TlsListener { listener, identity }))
}

/// The process's peak resident memory so far (`VmHWM`), in bytes.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

fn hash_password() -> Result<(), String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    println!(
        "{}",
        ips_emulator::auth::hash_password(password).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn render_files(args: RenderArgs) -> Result<(), String> {
    use ips_emulator::render;
    let config = limits_with_max_pix(args.max_pix).render;
    let modifier = render::modifier::parse(&args.modifier).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    let mut failed = 0;
    for file in &args.files {
        let result = std::fs::read(file).map_err(|e| e.to_string()).and_then(|bytes| {
            let before = peak_rss();
            let rendered = render::render(&bytes, &modifier, &config).map_err(|e| e.to_string())?;
            if args.memory {
                let estimate = render::estimate(&bytes, &modifier, &config).map_err(|e| e.to_string())?;
                let grew = peak_rss()
                    .zip(before)
                    .map(|(after, before)| after.saturating_sub(before));
                println!(
                    "{}: estimated {estimate} bytes, peak grew {} bytes",
                    file.display(),
                    grew.map_or_else(|| "?".to_owned(), |g| g.to_string())
                );
            }
            let ext = match rendered.info.format {
                "jpeg" => "jpg",
                "tiff" => "tif",
                other => other,
            };
            let stem = file
                .file_stem()
                .map_or_else(|| "image".into(), |s| s.to_string_lossy().into_owned());
            let dest = args.out.join(format!("{stem}.{ext}"));
            std::fs::write(&dest, &rendered.bytes).map_err(|e| format!("{}: {e}", dest.display()))
        });
        if let Err(e) = result {
            eprintln!("ips-emulator: {}: {e}", file.display());
            failed += 1;
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(format!("{n} of {} files failed", args.files.len())),
    }
}

/// Runs a replay; its exit status says how it went.
fn replay(args: ReplayArgs) -> ExitCode {
    use ips_emulator::replay;
    let options = replay::Options {
        dir: args.dir,
        url: args.url,
        reset: match (args.reset, args.reset_each) {
            (_, true) => replay::Reset::Each,
            (true, false) => replay::Reset::Once,
            (false, false) => replay::Reset::Never,
        },
        credentials: args
            .user
            .zip(args.password)
            .map(|(user, password)| replay::Credentials { user, password }),
    };
    let result = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt.block_on(replay::run(&options, &mut std::io::stdout().lock())),
        Err(e) => {
            eprintln!("ips-emulator replay: {e}");
            return ExitCode::from(replay::EXIT_CANNOT_RUN);
        }
    };
    if let Err(e) = &result {
        eprintln!("ips-emulator replay: {e}");
    }
    ExitCode::from(replay::exit_code(&result))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
            .and_then(|rt| rt.block_on(serve(*args))),
        Command::HashPassword => hash_password(),
        Command::Render(args) => render_files(args),
        Command::Replay(args) => return replay(args),
        Command::SharinpixToken(args) => sharinpix_token(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ips-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--kameleoon-rate`: two counts, `SHORT,HOURLY`.
fn parse_rate(raw: &str) -> Result<(u32, u32), String> {
    let (short, hourly) = raw
        .split_once(',')
        .ok_or_else(|| format!("'{raw}' is not SHORT,HOURLY (e.g. 50,1000)"))?;
    let count = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("'{s}' is not a count of requests"))
    };
    Ok((count(short)?, count(hourly)?))
}

/// Prints a SharinPix token for the given claims.
fn sharinpix_token(args: &SharinPixTokenArgs) -> Result<(), String> {
    let mut claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&args.claims).map_err(|e| format!("--claims is not a JSON object: {e}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if let Some(secs) = args.expires_in {
        claims.insert("exp".into(), (now + secs).into());
    }
    if args.iat {
        claims.insert("iat".into(), now.into());
    }
    let claims = serde_json::Value::Object(claims).to_string();
    println!(
        "{}",
        ips_emulator::sharinpix::mint(&claims, (!args.no_iss).then_some(args.id.as_str()), &args.secret)?
    );
    Ok(())
}
