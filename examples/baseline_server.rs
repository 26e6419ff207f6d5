//! The SOAP benchmark's reference: the cost of HTTP alone.
//!
//! A minimal hyper 1.x HTTP/1.1 server that reads each request body in full
//! and answers every request with the same copyImage success envelope. It
//! does no routing, XML parsing, authentication or catalog work, so
//! `bench/soap.sh` can divide the emulator's throughput by this server's to
//! see how much of the budget the emulator itself spends. Its transport
//! settings match the emulator's (keep-alive, `TCP_NODELAY`, multi-thread
//! runtime with the default worker count).
//!
//! ```text
//! cargo run --release --example baseline_server -- 127.0.0.1:PORT
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;
use std::process::ExitCode;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The emulator's reply to a successful copyImage, with a fixed handle.
const COPY_IMAGE_REPLY: &str = concat!(
    "<?xml version='1.0' encoding='UTF-8'?>",
    r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">"#,
    "<soapenv:Body>",
    r#"<copyImageReturn xmlns="http://www.scene7.com/IpsApi/xsd/2008-01-15">"#,
    "<assetHandle>a|943|1|580</assetHandle>",
    "</copyImageReturn>",
    "</soapenv:Body>",
    "</soapenv:Envelope>",
);

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read the whole body, as the emulator must, before replying.
    let status = match req.into_body().collect().await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::BAD_REQUEST,
    };
    let mut reply = Response::new(Full::new(Bytes::from_static(COPY_IMAGE_REPLY.as_bytes())));
    *reply.status_mut() = status;
    reply
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/xml; charset=utf-8"));
    Ok(reply)
}

async fn serve(addr: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    eprintln!("baseline_server: listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _peer) = match listener.accept().await {
            Ok(conn) => conn,
            Err(e) => {
                eprintln!("baseline_server: accept failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}

fn main() -> ExitCode {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8081".to_owned());
    let addr: SocketAddr = match arg.parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("baseline_server: bad address {arg:?}: {e}");
            eprintln!("usage: baseline_server [IP:PORT]");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("baseline_server: runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(addr)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("baseline_server: {e}");
            ExitCode::FAILURE
        }
    }
}
