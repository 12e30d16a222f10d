//! Where photos live: one `object_store` (a local folder or S3-compatible
//! storage), generated names, and the photo threads that decode.

#[allow(unused_imports)]
use super::*;

type Job = Box<dyn FnOnce() + Send>;

/// Photos waiting for a photo thread at most; one more is refused with
/// 503 `busy` (a few seconds of work at ~0.3 s a photo), so a flood of
/// uploads cannot pile up their temporary files and their waiting requests.
pub const PHOTO_QUEUE: usize = 16;

/// Photo threads at most, whatever the core count: each holds one decoded
/// photo (up to 48 MiB, `MAX_DECODED_BYTES`) at a time.
pub const MAX_PHOTO_THREADS: usize = 4;

/// How many photo threads a server runs: `ZHUOMU_PHOTO_THREADS`, else one.
/// Each more thread takes photos faster and holds its own decoded photo (a
/// 12 MP JPEG is decoded at half size, 9 MB; measured with two: eight
/// clients' photos 1.4× sooner, but a 241–256 MiB peak, not well under the
/// 256 MiB target; docs/PERFORMANCE.md).
fn photo_threads() -> usize {
    std::env::var("ZHUOMU_PHOTO_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// The threads of a server that decode and encode photos (`photo_threads`,
/// at most `MAX_PHOTO_THREADS`), each processing one photo at a time, so the
/// memory a decode takes is reused by that thread's next photo instead of
/// piling up in the allocator arenas of many blocking-pool threads
/// (measured: 290 MiB peak on the pool, see docs/PERFORMANCE.md). A job
/// that panics (a decoder bug on a crafted file) fails that upload only:
/// the thread goes on with the next.
struct Worker {
    jobs: std::sync::mpsc::SyncSender<Job>,
    /// Jobs sent and not yet finished (the `/metrics` queue length).
    pending: Arc<std::sync::atomic::AtomicUsize>,
    threads: usize,
}

impl Worker {
    fn start(threads: usize) -> Worker {
        use std::sync::atomic::Ordering;
        let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(PHOTO_QUEUE);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        let pending = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let threads = threads.clamp(1, MAX_PHOTO_THREADS);
        for n in 0..threads {
            let (rx, done) = (rx.clone(), pending.clone());
            std::thread::Builder::new()
                .name(format!("photos-{n}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while waiting for a job.
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                            tracing::error!("a photo job panicked; the photo thread goes on");
                        }
                        done.fetch_sub(1, Ordering::Relaxed);
                    }
                })
                .expect("start a photo thread");
        }
        Worker {
            jobs: tx,
            pending,
            threads,
        }
    }

    /// Runs `f` on a photo thread and waits for its answer: `Busy` when
    /// the queue is full, `Unsupported` when the job panicked.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PhotoError> {
        use std::sync::atomic::Ordering;
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(f());
        });
        self.pending.fetch_add(1, Ordering::Relaxed);
        if self.jobs.try_send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::Relaxed);
            tracing::warn!("the photo queue is full");
            return Err(PhotoError::Busy);
        }
        answer.await.map_err(|_| PhotoError::Unsupported)
    }
}

/// Where photos live and how they are processed.
pub struct Photos {
    store: Arc<dyn ObjectStore>,
    worker: Worker,
}

/// Keys of a stored photo and its thumbnail.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub key: String,
    pub thumb_key: String,
    pub width: u32,
    pub height: u32,
}

impl Photos {
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Photos {
            store,
            worker: Worker::start(photo_threads()),
        }
    }

    /// A local folder (created if missing).
    pub fn local(dir: &std::path::Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
        let fs = object_store::local::LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| anyhow::anyhow!("photo folder {}: {e}", dir.display()))?;
        Ok(Self::new(Arc::new(fs)))
    }

    /// An S3-compatible bucket: what the settings leave out comes from the
    /// usual `AWS_*` variables. A plain-HTTP endpoint (a MinIO on the same
    /// network) is allowed when it is named explicitly.
    pub fn s3(s: &crate::backend::S3Settings) -> anyhow::Result<Self> {
        let mut b = object_store::aws::AmazonS3Builder::from_env().with_bucket_name(&s.bucket);
        if let Some(e) = &s.endpoint {
            b = b
                .with_endpoint(e)
                .with_allow_http(e.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let Some(r) = &s.region {
            b = b.with_region(r);
        }
        if let Some(k) = &s.access_key_id {
            b = b.with_access_key_id(k);
        }
        if let Some(k) = &s.secret_access_key {
            b = b.with_secret_access_key(k);
        }
        let s3 = b
            .build()
            .map_err(|e| anyhow::anyhow!("S3 bucket {}: {e}", s.bucket))?;
        Ok(Self::new(Arc::new(s3)))
    }

    /// Processes an upload on a photo thread, one at a time per thread: only
    /// then is it read into memory.
    pub async fn process(&self, upload: Upload) -> Result<Processed, PhotoError> {
        self.worker
            .run(move || {
                let bytes = std::fs::read(&upload.path).map_err(|_| PhotoError::Unsupported)?;
                process_blocking(&bytes)
            })
            .await?
    }

    /// Reads the QR codes in an upload on a photo thread.
    pub async fn read_qr(&self, upload: Upload) -> Result<Vec<String>, PhotoError> {
        self.worker
            .run(move || {
                let bytes = std::fs::read(&upload.path).map_err(|_| PhotoError::Unsupported)?;
                read_qr_blocking(&bytes)
            })
            .await?
    }

    /// Photos sent to the photo threads and not yet done.
    pub fn queue_len(&self) -> usize {
        self.worker
            .pending
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// How many photo threads there are.
    pub fn threads(&self) -> usize {
        self.worker.threads
    }

    /// Runs `f` on a photo thread (tests: a job that panics).
    #[doc(hidden)]
    pub async fn run_job<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PhotoError> {
        self.worker.run(f).await
    }

    /// Redacts a stored photo into new objects (new names, so no cache
    /// anywhere keeps the old picture under the name that is public).
    pub async fn redact(&self, key: &str, r: Redaction) -> Result<StoredPhoto, AppError> {
        let stored = self.get(key).await?.ok_or(AppError::NotFound)?;
        let processed = self
            .worker
            .run(move || redact_blocking(&stored, r))
            .await
            .and_then(|r| r)
            .map_err(|e| match e {
                PhotoError::Busy => e.into_app_error("photo"),
                _ => AppError::Internal,
            })?;
        self.put(processed).await
    }

    /// Stores a processed photo under fresh random names.
    pub async fn put(&self, p: Processed) -> Result<StoredPhoto, AppError> {
        let name = random_name();
        let key = format!("p/{name}.jpg");
        let thumb_key = format!("t/{name}.jpg");
        for (k, data) in [(&key, p.full), (&thumb_key, p.thumb)] {
            self.store
                .put(&StorePath::from(k.as_str()), data.into())
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "photo store write failed");
                    AppError::Internal
                })?;
        }
        Ok(StoredPhoto {
            key,
            thumb_key,
            width: p.width,
            height: p.height,
        })
    }

    /// The bytes of a stored object, `None` if there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, AppError> {
        if !is_photo_key(key) {
            return Ok(None);
        }
        match self.store.get(&StorePath::from(key)).await {
            Ok(r) => r.bytes().await.map(Some).map_err(|e| {
                tracing::error!(error = %e, "photo store read failed");
                AppError::Internal
            }),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => {
                tracing::error!(error = %e, "photo store read failed");
                Err(AppError::Internal)
            }
        }
    }

    /// Removes objects; a failure is logged, never fatal (an orphan file is
    /// harmless, a lost report is not).
    pub async fn delete(&self, keys: &[String]) {
        for k in keys {
            if let Err(e) = self.store.delete(&StorePath::from(k.as_str())).await {
                tracing::warn!(error = %e, "photo store delete failed");
            }
        }
    }
}

fn random_name() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

/// `p/<32 hex>.jpg` or `t/<32 hex>.jpg`: the only names ever served.
pub fn is_photo_key(key: &str) -> bool {
    let Some((dir, file)) = key.split_once('/') else {
        return false;
    };
    let Some(stem) = file.strip_suffix(".jpg") else {
        return false;
    };
    matches!(dir, "p" | "t")
        && stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job that panics (a decoder bug) fails alone: the next one works.
    /// A full queue answers `Busy` at once instead of waiting.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_photo_threads_survive_panics_and_bound_their_queue() {
        let dir = tempfile::tempdir().unwrap();
        let mut photos = Photos::local(dir.path()).unwrap();
        // Two threads (ZHUOMU_PHOTO_THREADS=2): both held below.
        photos.worker = Worker::start(2);
        let panicked = photos.run_job(|| -> u32 { panic!("a crafted file") }).await;
        assert!(matches!(panicked, Err(PhotoError::Unsupported)));
        assert_eq!(photos.run_job(|| 7).await.unwrap(), 7);

        // Hold every thread, fill the queue, then one more.
        let gate = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let photos = Arc::new(photos);
        let threads = photos.threads();
        assert_eq!(threads, 2);
        let holders: Vec<_> = (0..threads)
            .map(|_| {
                let (photos, gate) = (photos.clone(), gate.clone());
                tokio::spawn(async move {
                    photos
                        .run_job(move || {
                            let (open, opened) = &*gate;
                            let mut open = open.lock().unwrap();
                            while !*open {
                                open = opened.wait(open).unwrap();
                            }
                        })
                        .await
                })
            })
            .collect();
        while photos.queue_len() < threads {
            tokio::task::yield_now().await;
        }
        // Wait for the threads to take the holding jobs off the queue.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let queued: Vec<_> = (0..PHOTO_QUEUE)
            .map(|i| {
                let photos = photos.clone();
                tokio::spawn(async move { photos.run_job(move || i).await })
            })
            .collect();
        while photos.queue_len() < PHOTO_QUEUE + threads {
            tokio::task::yield_now().await;
        }
        assert!(matches!(photos.run_job(|| 0).await, Err(PhotoError::Busy)));
        assert_eq!(
            PhotoError::Busy.into_app_error("photo"),
            AppError::Busy { retry_after_s: 5 }
        );
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        for h in holders {
            h.await.unwrap().unwrap();
        }
        for (i, q) in queued.into_iter().enumerate() {
            assert_eq!(q.await.unwrap().unwrap(), i);
        }
        // The thread counts a job done just after its answer is sent.
        for _ in 0..200 {
            if photos.queue_len() == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert_eq!(photos.queue_len(), 0);
    }
}
