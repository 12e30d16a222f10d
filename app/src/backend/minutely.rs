//! Figures that change once a minute, computed once a minute for everyone:
//! the dashboard's overview and charts, the week's hot spots, the home
//! page's city figures. Each server keeps the last value with the minute
//! of the service clock it was computed in. The first request of a new
//! minute computes the new value; the requests that arrive meanwhile get
//! the last one at once instead of queueing behind it (stale while
//! revalidating), so a page never waits for more than one computation, and
//! most never wait at all. Only the very first value is waited for (one
//! computation, not 64). Servers may differ by up to a minute, as the
//! figures say ("每分钟更新").

use std::future::Future;
use std::sync::{Arc, Mutex};

use super::Clock;
use crate::error::AppError;
use crate::models::{CityOverview, HotIssues, PortalProfile, StatsOverview};

/// One value per minute of the service clock.
pub struct Minutely<T> {
    slot: Mutex<Slot<T>>,
    /// Held while the first value is computed, so the others wait for it.
    first: tokio::sync::Mutex<()>,
}

struct Slot<T> {
    value: Option<(i64, Arc<T>)>,
    /// A request is computing a newer value.
    refreshing: bool,
}

impl<T> Default for Minutely<T> {
    fn default() -> Self {
        Minutely {
            slot: Mutex::new(Slot {
                value: None,
                refreshing: false,
            }),
            first: tokio::sync::Mutex::new(()),
        }
    }
}

/// Clears `refreshing` however the computing request ends (an error, or
/// the client going away and the request's future dropped).
struct Refreshing<'a, T>(&'a Mutex<Slot<T>>);

impl<T> Drop for Refreshing<'_, T> {
    fn drop(&mut self) {
        if let Ok(mut slot) = self.0.lock() {
            slot.refreshing = false;
        }
    }
}

impl<T> Minutely<T> {
    /// This minute's value, computed by `compute` if this is the first ask of
    /// the minute; while it computes, the others get the last minute's.
    pub async fn get<F, Fut>(&self, clock: &Clock, compute: F) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let minute = clock.now_ms().div_euclid(60_000);
        let stale = {
            let mut slot = self.slot.lock().map_err(|_| AppError::Internal)?;
            match &slot.value {
                Some((m, v)) if *m == minute => return Ok(v.clone()),
                Some((_, v)) if slot.refreshing => return Ok(v.clone()),
                Some((_, v)) => {
                    let v = v.clone();
                    slot.refreshing = true;
                    Some(v)
                }
                None => None,
            }
        };
        match stale {
            Some(stale) => {
                let _refreshing = Refreshing(&self.slot);
                match compute().await {
                    Ok(v) => Ok(self.store(minute, v)),
                    Err(e) => {
                        // The last value stays good for another try.
                        tracing::warn!(error = %e, "a minutely figure failed; the last one is served");
                        Ok(stale)
                    }
                }
            }
            None => {
                let _first = self.first.lock().await;
                if let Some((_, v)) = &self.slot.lock().map_err(|_| AppError::Internal)?.value {
                    return Ok(v.clone());
                }
                Ok(self.store(minute, compute().await?))
            }
        }
    }

    /// A value just written (an admin's change): this server serves it
    /// from now on; the others within the minute.
    pub fn put(&self, clock: &Clock, v: T) {
        self.store(clock.now_ms().div_euclid(60_000), v);
    }

    fn store(&self, minute: i64, v: T) -> Arc<T> {
        let v = Arc::new(v);
        if let Ok(mut slot) = self.slot.lock() {
            // A slower computation of an older minute never replaces a newer one.
            if slot.value.as_ref().is_none_or(|(m, _)| *m <= minute) {
                slot.value = Some((minute, v.clone()));
            }
        }
        v
    }
}

/// What the public pages share, per server.
#[derive(Default)]
pub struct Figures {
    pub overview: Minutely<StatsOverview>,
    pub charts: Minutely<super::charts::DashboardCharts>,
    pub hot: Minutely<HotIssues>,
    pub city: Minutely<CityOverview>,
    /// Who runs the portal, in every page's footer.
    pub portal: Minutely<PortalProfile>,
    /// The segments and grids, to name the place of a position.
    pub places: Minutely<super::city::places::Places>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A clock one second into a minute: the test has 59 s before the next.
    fn clock() -> Clock {
        let clock = Clock::new(chrono_tz::Asia::Shanghai);
        clock.advance(61_000 - clock.now_ms().rem_euclid(60_000));
        clock
    }

    /// 32 requests at once in one minute: one computation.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_computation_a_minute_for_everyone() {
        let clock = clock();
        let figure = Arc::new(Minutely::<usize>::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let (figure, runs, clock) = (figure.clone(), runs.clone(), clock.clone());
            tasks.push(tokio::spawn(async move {
                *figure
                    .get(&clock, || async {
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 1);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    /// In the next minute the first asker computes; everyone who asks
    /// meanwhile gets the last value at once; afterwards, the new one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_last_value_is_served_while_the_new_one_computes() {
        let clock = clock();
        let figure = Arc::new(Minutely::<&'static str>::default());
        figure.get(&clock, || async { Ok("old") }).await.unwrap();
        clock.advance(60_000);
        let release = Arc::new(tokio::sync::Notify::new());
        let computing = {
            let (figure, clock, release) = (figure.clone(), clock.clone(), release.clone());
            tokio::spawn(async move {
                *figure
                    .get(&clock, || async move {
                        release.notified().await;
                        Ok("new")
                    })
                    .await
                    .unwrap()
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let mut others = Vec::new();
        for _ in 0..16 {
            let (figure, clock) = (figure.clone(), clock.clone());
            others.push(tokio::spawn(async move {
                *figure
                    .get(&clock, || async { panic!("a second computation") })
                    .await
                    .unwrap()
            }));
        }
        for o in others {
            // At once: nobody waits for the computation still held.
            let got = tokio::time::timeout(std::time::Duration::from_secs(5), o).await;
            assert_eq!(got.expect("served without waiting").unwrap(), "old");
        }
        release.notify_one();
        assert_eq!(computing.await.unwrap(), "new");
        let now = figure
            .get(&clock, || async { panic!("recomputed") })
            .await
            .unwrap();
        assert_eq!(*now, "new");
    }

    /// A failed or abandoned computation leaves the last value served and
    /// lets the next request try again.
    #[tokio::test]
    async fn a_failed_or_dropped_computation_is_tried_again() {
        let clock = clock();
        let figure = Minutely::<&'static str>::default();
        assert!(
            figure
                .get(&clock, || async { Err(AppError::Internal) })
                .await
                .is_err()
        );
        figure.get(&clock, || async { Ok("old") }).await.unwrap();
        clock.advance(60_000);
        let failed = figure
            .get(&clock, || async { Err(AppError::Internal) })
            .await
            .unwrap();
        assert_eq!(*failed, "old");
        // The client goes away while its request computes.
        let abandoned = figure.get(&clock, std::future::pending);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(10), abandoned)
                .await
                .is_err()
        );
        let now = figure.get(&clock, || async { Ok("new") }).await.unwrap();
        assert_eq!(*now, "new");
    }
}
