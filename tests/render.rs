//! Rendering end to end: copyImage with a urlModifier makes a new image the
//! docs describe, `/is/image` serves it, and every refusal leaves the catalog
//! and the store exactly as they were.

use image::{GenericImageView, RgbaImage};
use ips_emulator::handles::AssetHandle;

use crate::support::{self, TestServer, SOAP_HEADERS};

async fn copy(server: &TestServer, name: &str, modifier: &str) -> support::Response {
    let body = support::copy_image(name, &xml_escape(modifier));
    support::exchange(server.addr, &support::soap_request(body.as_bytes(), SOAP_HEADERS)).await
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

async fn get(server: &TestServer, target: &str, extra: &[(&str, &str)]) -> support::Response {
    let mut raw = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (n, v) in extra {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    support::exchange(server.addr, raw.as_bytes()).await
}

fn decode(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory(bytes).expect("the reply decodes")
}

/// The seeded source (`macbookwin1`, 640×427), decoded.
fn source() -> RgbaImage {
    let bytes = support::read(&support::root().join("fixtures/seed/images/macbookwin1.jpg"));
    decode(&bytes).to_rgba8()
}

/// Mean absolute difference per channel between two equally sized images.
fn mean_abs_diff(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let sum: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.as_raw().len() as f64
}

/// Catalog and store contents, to prove a refusal changed nothing.
async fn snapshot(server: &TestServer) -> (u64, Vec<String>) {
    (server.asset_count().await, server.state.store.list().expect("list"))
}

#[tokio::test]
async fn a_modified_copy_is_stored_as_rendered_and_served() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let resp = copy(&server, "thumb", "wid=100&fmt=png").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let handle = support::returned_handle(&resp);
    assert_eq!(handle, "a|943|1|580", "handles are minted as for any copy");

    // The catalog records what was written, in a new blob.
    let asset = server
        .state
        .catalog
        .asset(6, AssetHandle::parse(&handle).expect("handle"))
        .await
        .expect("stored");
    assert_eq!(
        (asset.width, asset.height, asset.format.as_deref()),
        (Some(100), Some(67), Some("png"))
    );
    let (count, blobs) = snapshot(&server).await;
    assert_eq!(count, before.0 + 1);
    assert_eq!(blobs.len(), before.1.len() + 1, "a rendering has its own bytes");
    let stored = server.state.store.get(&asset.content_hash).expect("blob");
    assert_eq!(asset.byte_size, stored.len() as u64);

    // /is/image serves exactly those bytes, labelled and validated.
    let got = get(&server, "/is/image/ApiTestCo/thumb", &[]).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert_eq!(got.header("content-type"), Some("image/png"));
    assert_eq!(got.body, &stored[..]);
    assert_eq!(got.header("content-length"), Some(stored.len().to_string().as_str()));
    let etag = got.header("etag").expect("etag").to_owned();
    let again = get(&server, "/is/image/ApiTestCo/thumb", &[("If-None-Match", &etag)]).await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    let weak = format!("\"other\", W/{etag}");
    assert_eq!(
        get(&server, "/is/image/ApiTestCo/thumb", &[("If-None-Match", &weak)])
            .await
            .status,
        304
    );

    // And renders it further on request.
    let small = get(&server, "/is/image/ApiTestCo/thumb?wid=50&fmt=gif", &[]).await;
    assert_eq!(small.status, 200, "{}", small.text());
    assert_eq!(small.header("content-type"), Some("image/gif"));
    assert_eq!(decode(&small.body).dimensions(), (50, 34));
    server.stop().await;
}

#[tokio::test]
async fn rotate_then_flip_is_a_transpose_and_layer_zero_flips_first() {
    let server = TestServer::in_memory().await;
    let src = source();
    let crop = image::imageops::crop_imm(&src, 0, 0, 300, 300).to_image();
    // Composite-level flip after the layer's rotation: (x, y) → (y, x).
    let mut transpose = RgbaImage::new(300, 300);
    // Explicit layer=0: flip, then rotate: (x, y) → (299 − y, 299 − x).
    let mut anti = RgbaImage::new(300, 300);
    for (x, y, p) in crop.enumerate_pixels() {
        transpose.put_pixel(y, x, *p);
        anti.put_pixel(299 - y, 299 - x, *p);
    }
    for (name, modifier, expected, other) in [
        (
            "g20",
            "crop=0,0,300,300&rotate=90&flip=lr&scl=1&fmt=png",
            &transpose,
            &anti,
        ),
        (
            "g21",
            "crop=0,0,300,300&layer=0&rotate=90&flip=lr&scl=1&fmt=png",
            &anti,
            &transpose,
        ),
    ] {
        let resp = copy(&server, name, modifier).await;
        assert_eq!(resp.status, 200, "{name}: {}", resp.text());
        let got = get(&server, &format!("/is/image/ApiTestCo/{name}"), &[]).await;
        let img = decode(&got.body).to_rgba8();
        // Two JPEG decoders may differ by a level or two; the wrong mapping
        // differs by tens.
        let right = mean_abs_diff(&img, expected);
        let wrong = mean_abs_diff(&img, other);
        assert!(
            right < 3.0,
            "{name}: mean difference {right} from the documented mapping"
        );
        assert!(wrong > 10.0, "{name}: the other mapping should not match ({wrong})");
    }
    server.stop().await;
}

#[tokio::test]
async fn view_sizing_and_formats_through_is_image() {
    let server = TestServer::in_memory().await;
    // (commands, content type, width, height)
    let cases = [
        ("", "image/jpeg", 640, 427),
        ("wid=300", "image/jpeg", 300, 200),
        ("wid=300&hei=300&bgc=ff0000", "image/jpeg", 300, 300),
        ("wid=300&hei=200&fit=crop&fmt=png", "image/png", 300, 200),
        ("hei=100&fmt=png-alpha", "image/png", 150, 100),
        ("rotate=30&fmt=png-alpha&scl=4", "image/png", 192, 173),
        ("crop=100,50,200,100&fmt=tif,,lzw", "image/tiff", 200, 100),
        ("wid=120&fmt=webp-alpha,,lossless", "image/webp", 120, 80),
        ("wid=120&fmt=webp&qlt=70", "image/webp", 120, 80),
        (
            "wid=64&fmt=gif&quantize=adaptive,off,2,000000,ffffff",
            "image/gif",
            64,
            43,
        ),
        ("wid=64&fmt=png8", "image/png", 64, 43),
        ("extend=10,20,30,40&scl=1&fmt=jpeg,gray", "image/jpeg", 680, 487),
        ("size=200,200&scl=1&op_sharpen=1&op_usm=1,1,0,0", "image/jpeg", 200, 133),
        (
            "wid=100&op_brightness=20&op_contrast=10&op_saturation=-100&op_hue=30&op_invert=1",
            "image/jpeg",
            100,
            67,
        ),
        (
            "wid=100&op_blur=2&op_noise=10&op_colorize=a0b0c0&opac=50&fmt=png-alpha",
            "image/png",
            100,
            67,
        ),
        ("wid=100&resMode=bilin", "image/jpeg", 100, 67),
        ("wid=100&resMode=sharp2&qlt=95,1&fmt=pjpeg", "image/jpeg", 100, 67),
    ];
    for (commands, mime, w, h) in cases {
        let target = if commands.is_empty() {
            "/is/image/ApiTestCo/macbookwin1".to_owned()
        } else {
            format!("/is/image/ApiTestCo/macbookwin1?{commands}")
        };
        let got = get(&server, &target, &[]).await;
        assert_eq!(got.status, 200, "{commands}: {}", got.text());
        assert_eq!(got.header("content-type"), Some(mime), "{commands}");
        assert_eq!(decode(&got.body).dimensions(), (w, h), "{commands}");
    }

    // bgc fills the letterbox; png-alpha leaves it transparent.
    let red = decode(
        &get(
            &server,
            "/is/image/ApiTestCo/macbookwin1?wid=300&hei=300&bgc=ff0000&fmt=png",
            &[],
        )
        .await
        .body,
    )
    .to_rgba8();
    assert_eq!(red.get_pixel(150, 2).0, [255, 0, 0, 255]);
    let clear = decode(
        &get(
            &server,
            "/is/image/ApiTestCo/macbookwin1?wid=300&hei=300&bgc=ff0000&fmt=png-alpha",
            &[],
        )
        .await
        .body,
    )
    .to_rgba8();
    assert_eq!(clear.get_pixel(150, 2).0[3], 0);
    // Saturation −100 leaves no colour.
    let grey = decode(
        &get(
            &server,
            "/is/image/ApiTestCo/macbookwin1?wid=100&op_saturation=-100&fmt=png",
            &[],
        )
        .await
        .body,
    )
    .to_rgba8();
    assert!(grey.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
    server.stop().await;
}

#[tokio::test]
async fn refusals_store_nothing_and_the_server_keeps_serving() {
    let server = TestServer::in_memory().await;
    let before = snapshot(&server).await;
    let cases = [
        ("wid=abc", "'wid=abc' is invalid"),
        ("wid=0", "'wid=0' is invalid"),
        ("wid=1e309", "is invalid"),
        ("src=OtherCo/otherco-photo", "'src' is not supported"),
        ("req=saveToFile", "not supported"),
        ("fmt=avif", "not supported"),
        ("fit=crop", "requires wid= or hei="),
        ("wid=20000", "larger than the limit"),
        ("wid=16000&hei=16000&fit=stretch,1", "larger than the limit"),
        ("$preset$", "not supported"),
    ];
    for (i, (modifier, reason)) in cases.iter().enumerate() {
        let resp = copy(&server, &format!("refused-{i}"), modifier).await;
        assert_eq!(resp.status, 500, "{modifier}");
        assert_eq!(support::fault_code(&resp), Some(30001), "{modifier}: {}", resp.text());
        assert!(resp.text().contains(reason), "{modifier}: {}", resp.text());
        assert_eq!(snapshot(&server).await, before, "{modifier} left something behind");
    }
    // A rendering that cannot be stored under its name is not kept either.
    let resp = copy(&server, "macbookwin1", "wid=10").await;
    assert_eq!(support::fault_code(&resp), Some(30000), "{}", resp.text());
    assert_eq!(snapshot(&server).await, before, "the unused rendering was removed");
    // Still serving.
    assert_eq!(copy(&server, "fine", "wid=10").await.status, 200);
    server.stop().await;
}

#[tokio::test]
async fn is_image_errors() {
    let server = TestServer::in_memory().await;
    for target in [
        "/is/image/ApiTestCo/nosuchimage",
        "/is/image/NoSuchCo/macbookwin1",
        "/is/image/ApiTestCo/MACBOOKWIN1",
        "/is/image/ApiTestCo",
        "/is/image/ApiTestCo/macbookwin1/extra",
        "/is/image/ApiTestCo/macbookwin1?wid=abc",
        "/is/image/ApiTestCo/macbookwin1?src=x",
        "/is/image/ApiTestCo/macbookwin1?wid=20000",
    ] {
        let got = get(&server, target, &[]).await;
        assert_eq!(got.status, 403, "{target}");
        assert!(
            got.header("content-type").is_some_and(|t| t.starts_with("text/plain")),
            "{target}"
        );
        assert!(
            got.header("cache-control").is_some_and(|c| c.contains("no-store")),
            "{target}"
        );
    }
    // A long name is quoted only in part, and the cut keeps the text UTF-8.
    let long = format!("/is/image/ApiTestCo/x{}", "%C3%A9".repeat(2000));
    let got = get(&server, &long, &[]).await;
    assert_eq!(got.status, 403);
    let text = std::str::from_utf8(&got.body).expect("UTF-8");
    assert!(
        text.len() <= 513 && text.starts_with("Unable to find image 'ApiTestCo/xé"),
        "{text}"
    );
    let post = support::exchange(
        server.addr,
        b"POST /is/image/ApiTestCo/macbookwin1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert_eq!(post.status, 405);
    server.stop().await;
}

#[tokio::test]
async fn the_source_asset_stored_modifiers_apply_around_the_request() {
    // A seed whose source carries a Modifier and a PostModifier.
    let dir = tempfile::tempdir().expect("tempdir");
    let seed_src = support::root().join("fixtures/seed");
    let mut seed: serde_json::Value =
        serde_json::from_slice(&support::read(&seed_src.join("seed.json"))).expect("seed json");
    for asset in seed["assets"].as_array_mut().expect("assets") {
        if asset["name"] == "macbookwin1" {
            asset["url_modifier"] = "wid=200&fmt=gif".into();
            asset["url_post_modifier"] = "fmt=png".into();
        }
    }
    std::fs::write(dir.path().join("seed.json"), serde_json::to_vec(&seed).expect("json")).expect("write");
    std::fs::create_dir(dir.path().join("images")).expect("mkdir");
    for entry in std::fs::read_dir(seed_src.join("images")).expect("images") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.path().join("images").join(entry.file_name())).expect("copy");
    }
    let mut options = support::options(ips_emulator::DataLocation::InMemory, ips_emulator::Limits::default());
    options.seed = ips_emulator::SeedSource::Dir(dir.path().to_owned());
    let server = TestServer::start(options).await;

    // The request's wid overrides the Modifier's; the PostModifier's fmt
    // overrides everything.
    let resp = copy(&server, "derived", "wid=100&fmt=jpeg").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    let got = get(&server, "/is/image/ApiTestCo/derived", &[]).await;
    assert_eq!(got.header("content-type"), Some("image/png"));
    assert_eq!(decode(&got.body).dimensions(), (100, 67));
    // The copy's pixels are baked: it has no stored modifiers of its own.
    let served = get(&server, "/is/image/ApiTestCo/derived?scl=1", &[]).await;
    assert_eq!(decode(&served.body).dimensions(), (100, 67));
    // An empty (or blank) urlModifier still shares the bytes untouched.
    let plain = copy(&server, "plain", " \n ").await;
    assert_eq!(plain.status, 200);
    let handle = AssetHandle::parse(&support::returned_handle(&plain)).expect("handle");
    let copied = server.state.catalog.asset(6, handle).await.expect("copy");
    let original = server
        .state
        .catalog
        .asset(6, AssetHandle::long(739, 1, 537))
        .await
        .expect("source");
    assert_eq!(copied.content_hash, original.content_hash);
    server.stop().await;
}

/// Golden renderings: each modifier applied to the seeded photograph through
/// `/is/image`, compared by decoded pixels with the PNG under
/// `fixtures/render/`. `IPS_BLESS=1` rewrites them (review the images).
#[tokio::test]
async fn golden_renderings() {
    // (file stem, commands). Small replies keep the fixtures small; each
    // exercises a different stage of the pipeline.
    let cases = [
        ("wid-160", "wid=160"),
        ("fit-crop-align", "wid=120&hei=120&fit=crop&align=-1,0"),
        ("letterbox-red", "wid=160&hei=160&bgc=ff0000"),
        ("crop-rotate-flip", "crop=100,50,300,200&rotate=90&flip=lr&wid=100"),
        ("rotate-30-alpha", "rotate=30&wid=160&fmt=png-alpha"),
        ("extend-bgcolor", "extend=20,20,20,20&bgColor=0,0,255&wid=160"),
        (
            "adjustments",
            "wid=160&op_brightness=20&op_contrast=30&op_saturation=-50&op_hue=45",
        ),
        ("colorize-invert", "wid=160&op_colorize=a0b0c0,norm,40&op_invert=1"),
        ("blur-usm", "wid=160&op_blur=3&op_usm=2,2,0,0"),
        ("sharpen-sharp2", "wid=160&op_sharpen=1&resMode=sharp2"),
        ("noise-mono", "wid=160&op_noise=20,gaussian,1"),
        ("opacity-alpha", "wid=160&opac=50&fmt=png-alpha"),
        (
            "gif-two-colours",
            "wid=160&fmt=gif&quantize=adaptive,off,2,000000,ffffff",
        ),
        ("rect-tile", "wid=320&rect=80,40,160,120"),
        ("gray-jpeg", "wid=160&fmt=jpeg,gray&qlt=90"),
    ];
    let dir = support::root().join("fixtures/render");
    let bless = std::env::var_os("IPS_BLESS").is_some();
    let server = TestServer::in_memory().await;
    let mut failures = Vec::new();
    for (stem, commands) in cases {
        let got = get(&server, &format!("/is/image/ApiTestCo/macbookwin1?{commands}"), &[]).await;
        assert_eq!(got.status, 200, "{commands}: {}", got.text());
        let img = decode(&got.body).to_rgba8();
        let path = dir.join(format!("{stem}.png"));
        if bless {
            std::fs::create_dir_all(&dir).expect("mkdir");
            img.save(&path).expect("save golden");
            continue;
        }
        let expected = image::open(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (bless with IPS_BLESS=1)", path.display()))
            .to_rgba8();
        if expected.dimensions() != img.dimensions() {
            failures.push(format!(
                "{stem}: {:?} instead of {:?}",
                img.dimensions(),
                expected.dimensions()
            ));
            continue;
        }
        // Codecs may round differently across versions and CPUs (SIMD
        // paths); a real regression moves far more than this.
        let diff = mean_abs_diff(&img, &expected);
        if diff > 1.5 {
            failures.push(format!("{stem} ({commands}): mean difference {diff:.2} per channel"));
        }
    }
    server.stop().await;
    assert!(
        failures.is_empty(),
        "golden renderings differ:\n{}",
        failures.join("\n")
    );
}
