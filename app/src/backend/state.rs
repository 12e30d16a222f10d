use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::auth::Auth;
use super::identity::privacy::Policy;
use super::identity::sms::SmsSender;
use super::notify::Sender;
use super::photos::Photos;
use super::{Clock, Db};

/// Settings read once at start-up (flags and environment, see README).
#[derive(Debug, Clone)]
pub struct Config {
    /// Where generated secrets and the default SQLite file live.
    pub data_dir: PathBuf,
    /// The site's own origin, e.g. `https://zhuomu.example.cn`. When unset,
    /// the request's Host is taken as the site.
    pub public_origin: Option<String>,
    /// Lifetime of a login, in seconds.
    pub token_ttl_secs: i64,
    /// Per-IP rate limits (the per-phone login lockout is always on).
    pub rate_limits: bool,
    /// Behind our own reverse proxy: take the client address from the last
    /// X-Forwarded-For entry.
    pub trust_proxy: bool,
    /// Keep photos in an S3-compatible bucket instead of `data/photos`.
    pub s3: Option<S3Settings>,
    /// How SMS codes leave (`ZHUOMU_SMS`: log, outbox:PATH, http:URL).
    pub sms: SmsSender,
    /// Registration needs an SMS code (`ZHUOMU_VERIFY_PHONES=off` only for
    /// local demos).
    pub verify_phones: bool,
    /// The privacy policy people accept (`ZHUOMU_PRIVACY_FILE`).
    pub policy: Arc<Policy>,
    /// The address `serve` listens on. Without `public_origin`, a request's
    /// Host must name it (`auth::host_allowed`), or it is refused.
    pub listen: Option<std::net::SocketAddr>,
    /// `GET /metrics` on the public address needs this bearer token
    /// (`ZHUOMU_METRICS_TOKEN`); without it the route is 404.
    pub metrics_token: Option<String>,
    /// A base map under the city's areas (`ZHUOMU_MAP_TILES`); without it
    /// the maps are the drawn schematic alone.
    pub map_tiles: Option<crate::domain::map::TileSource>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            public_origin: None,
            token_ttl_secs: 7 * 24 * 3600,
            rate_limits: true,
            trust_proxy: false,
            s3: None,
            sms: SmsSender::Log,
            verify_phones: true,
            policy: Arc::new(Policy::load(None).expect("the built-in policy parses")),
            listen: None,
            metrics_token: None,
            map_tiles: None,
        }
    }
}

/// An S3-compatible bucket (`ZHUOMU_S3_BUCKET`, `ZHUOMU_S3_ENDPOINT` for
/// MinIO and the like). What is not given comes from the usual `AWS_*`
/// variables (credentials, region).
#[derive(Debug, Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

/// What every handler and server function reaches: the database, the clock,
/// token keys and settings. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub auth: Arc<Auth>,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub photos: Arc<Photos>,
    /// Notifications beyond the app (a log line by default).
    pub sender: Arc<dyn Sender>,
    /// Set on SIGTERM: `/readyz` answers 503 so load balancers send no new
    /// requests while this server finishes (`serve --drain-secs`).
    pub draining: Arc<std::sync::atomic::AtomicBool>,
    /// The public figures of this minute (`minutely`).
    pub figures: Arc<super::minutely::Figures>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
