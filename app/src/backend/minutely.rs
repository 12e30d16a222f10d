//! Figures that change once a minute, computed once a minute for everyone:
//! the dashboard's overview and charts, the week's hot spots, the home
//! page's city figures. Each server keeps the last value with the minute
//! of the service clock it was computed in; the first request of a new
//! minute computes it while the others of that moment wait for it (one
//! computation, not 64). Servers may differ by up to a minute, as the
//! figures say ("每分钟更新").

use std::future::Future;
use std::sync::Arc;

use super::Clock;
use crate::error::AppError;
use crate::models::{CityOverview, HotIssues, StatsOverview};

/// One value per minute of the service clock.
pub struct Minutely<T> {
    slot: tokio::sync::Mutex<Option<(i64, Arc<T>)>>,
}

impl<T> Default for Minutely<T> {
    fn default() -> Self {
        Minutely {
            slot: tokio::sync::Mutex::new(None),
        }
    }
}

impl<T> Minutely<T> {
    /// This minute's value, computed by `compute` if it is the first ask.
    pub async fn get<F, Fut>(&self, clock: &Clock, compute: F) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let minute = clock.now_ms().div_euclid(60_000);
        let mut slot = self.slot.lock().await;
        if let Some((m, v)) = slot.as_ref()
            && *m == minute
        {
            return Ok(v.clone());
        }
        let v = Arc::new(compute().await?);
        *slot = Some((minute, v.clone()));
        Ok(v)
    }
}

/// What the public pages share, per server.
#[derive(Default)]
pub struct Figures {
    pub overview: Minutely<StatsOverview>,
    pub charts: Minutely<super::charts::DashboardCharts>,
    pub hot: Minutely<HotIssues>,
    pub city: Minutely<CityOverview>,
}
