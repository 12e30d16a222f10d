//! Peak memory of a server processing photos: runs the real `zhuomu` binary,
//! sends it phone-camera photos (12 MP JPEGs), photos at the decoding limit
//! and decompression bombs, eight requests at a time, and reads the server's
//! peak resident memory (VmHWM) from /proc. Target: well under 256 MB.
//!
//! `cargo bench -p zhuomu --bench photo_memory` (figures in docs/PERFORMANCE.md).

use std::io::Cursor;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

fn png_declaring(w: u32, h: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image::RgbImage::new(1, 1))
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    let mut p = out.into_inner();
    p[16..20].copy_from_slice(&w.to_be_bytes());
    p[20..24].copy_from_slice(&h.to_be_bytes());
    let crc = crc32fast::hash(&p[12..29]);
    p[29..33].copy_from_slice(&crc.to_be_bytes());
    p
}

fn kib(status: &str, key: &str) -> u64 {
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let bin = env!("CARGO_BIN_EXE_zhuomu");
    let run = |args: &[&str]| {
        let out = Command::new(bin)
            .args(args)
            .env("DATABASE_URL", &url)
            .env("ZHUOMU_DATA_DIR", dir.path())
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["seed"]);
    run(&[
        "user",
        "create",
        "--phone",
        "13800000001",
        "--password",
        "bench-password-1",
        "--name",
        "压测",
    ]);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = Command::new(bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &url)
        .env("ZHUOMU_DATA_DIR", dir.path())
        .env("ZHUOMU_RATE_LIMITS", "off")
        .env("ZHUOMU_LOG", "warn")
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status_file = format!("/proc/{}/status", server.id());
    let idle = kib(&std::fs::read_to_string(&status_file).unwrap(), "VmRSS:");
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"phone": "13800000001", "password": "bench-password-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_owned();

    let camera = jpeg(4000, 3000); // a 12 MP phone photo
    let limit = jpeg(4600, 3450); // ≈ 16 MP: just under the 48 MiB decode limit
    let over = jpeg(5900, 4400); // ≈ 26 MP: refused
    let bombs = [png_declaring(20_000, 20_000), png_declaring(11_000, 11_000)];
    let cases: Vec<(&str, Vec<Vec<u8>>, u16)> = vec![
        ("4 × 12 MP JPEG", vec![camera.clone(); 4], 201),
        ("16 MP JPEG", vec![limit.clone()], 201),
        ("26 MP JPEG", vec![over.clone()], 422),
        ("bomb 20000²", vec![bombs[0].clone()], 422),
        ("bomb 11000²", vec![bombs[1].clone()], 422),
    ];
    println!("server idle: {} MiB resident", idle / 1024);
    for (name, photos, expect) in cases {
        let t = Instant::now();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let mut form = reqwest::multipart::Form::new()
                    .text("category_id", "1")
                    .text("description", "内存压测")
                    .text("lat", "39.7721")
                    .text("lon", "98.2891");
                for p in &photos {
                    form = form.part(
                        "photo",
                        reqwest::multipart::Part::bytes(p.clone()).file_name("p.jpg"),
                    );
                }
                let req = client
                    .post(format!("{base}/api/v1/reports"))
                    .bearer_auth(&token)
                    .multipart(form);
                tokio::spawn(async move { req.send().await.unwrap().status().as_u16() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), expect, "{name}");
        }
        let status = std::fs::read_to_string(&status_file).unwrap();
        println!(
            "{name:>16}: 8 requests at once in {:>5} ms; server peak {} MiB, now {} MiB",
            t.elapsed().as_millis(),
            kib(&status, "VmHWM:") / 1024,
            kib(&status, "VmRSS:") / 1024
        );
    }
    let peak = kib(&std::fs::read_to_string(&status_file).unwrap(), "VmHWM:") / 1024;
    server.kill().ok();
    server.wait().ok();
    println!("peak resident memory of the server: {peak} MiB (target: well under 256 MiB)");
    assert!(peak < 256, "over the memory target");
}
