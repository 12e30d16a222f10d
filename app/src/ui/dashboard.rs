//! 数据看板: the campaign's numbers for everyone (charts drawn on the server,
//! each with its table), the per-unit and per-area detail for staff, and
//! the monthly 通报 (printable, with a CSV download).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::Loaded;
use crate::api::{dashboard, tongbao};
use crate::domain::ReportStatus;

fn percent(rate: Option<f64>) -> String {
    rate.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// A chart with its numbers folded underneath.
#[component]
fn Chart(
    title: &'static str,
    svg: String,
    test_id: &'static str,
    head: (&'static str, &'static str),
    rows: Vec<(String, String)>,
) -> impl IntoView {
    view! {
        <section class="card" data-test-id=test_id>
            <h2>{title}</h2>
            <div class="chart" inner_html=svg></div>
            <details>
                <summary>"查看数据"</summary>
                <table class="numbers">
                    <thead><tr><th>{head.0}</th><th>{head.1}</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(k, v)| view! { <tr><td>{k}</td><td>{v}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| dashboard());
    view! {
        <Title text="数据看板"/>
        <Loaded data=data render=move |d| {
                let r = d.overview.reports.clone();
                let problems: i64 = ["assigned", "returned", "rectified", "closed"]
                    .iter()
                    .map(|s| r.by_status.get(*s).copied().unwrap_or(0))
                    .sum();
                let status_rows = ReportStatus::ALL
                    .iter()
                    .map(|s| (s.label().to_owned(), r.by_status.get(s.as_str()).copied().unwrap_or(0).to_string()))
                    .collect();
                let category_rows = r.by_category.iter().map(|c| (c.name.clone(), c.count.to_string())).collect();
                let week_rows = r.weekly.iter().map(|w| (format!("{}起", w.week), format!("上报{} · 销号{}", w.reported, w.closed))).collect();
                view! {
                    <section class="card">
                        <h1>"数据看板"</h1>
                        <ul class="figures" data-test-id="key-figures">
                            <li><strong data-test-id="problems">{problems}</strong><span>"受理问题"</span></li>
                            <li><strong data-test-id="overdue">{r.overdue}</strong><span>"逾期未整改"</span></li>
                            <li><strong data-test-id="on-time">{percent(r.on_time_rate)}</strong><span>"按期整改率"</span></li>
                            <li><strong data-test-id="satisfaction">{percent(r.satisfaction_rate)}</strong><span>"群众满意率"</span></li>
                            <li><strong>{format!("{:.1}", d.overview.volunteer_minutes_this_month as f64 / 60.0)}</strong><span>"本月志愿服务小时"</span></li>
                        </ul>
                        <p class="muted small" data-test-id="fix-kinds">{format!(
                            "已销号{}件：立行立改（一天内）{}件，限期整改{}件。",
                            r.closed_same_day + r.closed_later, r.closed_same_day, r.closed_later
                        )}</p>
                    </section>
                    <Chart title="问题状态" svg=d.status_chart.clone() test_id="chart-status" head=("状态", "数量") rows=status_rows/>
                    <Chart title="问题类别" svg=d.category_chart.clone() test_id="chart-category" head=("类别", "数量") rows=category_rows/>
                    <Chart title="近12周上报与销号" svg=d.weekly_chart.clone() test_id="chart-weekly" head=("周", "件数") rows=week_rows/>
                    {d.detail.map(|detail| view! {
                        <section class="card" data-test-id="unit-table">
                            <h2>"责任单位"</h2>
                            <p class="links"><a href="/dashboard/units" data-test-id="tongbao-link">"月度通报"</a></p>
                            <div class="table-wrap" tabindex="0" role="region" aria-label="责任单位表">
                                <table class="numbers">
                                    <thead><tr><th>"单位"</th><th>"在办"</th><th>"逾期"</th><th>"销号"</th><th>"按期率"</th></tr></thead>
                                    <tbody>
                                        {detail.by_unit.into_iter().map(|u| view! {
                                            <tr data-test-id=format!("unit-{}", u.unit_id)>
                                                <td>{u.unit_name}</td><td>{u.open}</td><td>{u.overdue}</td><td>{u.closed}</td><td>{percent(u.on_time_rate)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </section>
                        <section class="card" data-test-id="area-table">
                            <h2>"包街路段与网格"</h2>
                            <div class="table-wrap" tabindex="0" role="region" aria-label="包街路段与网格表">
                                <table class="numbers">
                                    <thead><tr><th>"区域"</th><th>"类型"</th><th>"问题"</th><th>"在办"</th></tr></thead>
                                    <tbody>
                                        {detail.by_area.into_iter().map(|a| view! {
                                            <tr data-test-id=format!("area-{}", a.area_id)>
                                                <td>{a.name}</td><td>{if a.kind == "grid" { "网格" } else { "路段" }}</td><td>{a.count}</td><td>{a.open}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        </section>
                    })}
                }.into_any()
        }/>
    }
}

/// The monthly 通报 per unit: ranked, printable, downloadable.
#[component]
pub fn TongbaoPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(move || query.read().get("month"), tongbao);
    view! {
        <Loaded data=data render=move |t| {
                view! {
                    <Title text=format!("{}月度通报", t.month)/>
                    <section class="card tongbao" data-test-id="tongbao">
                        <h1>{format!("{} 责任单位整改通报", t.month)}</h1>
                        <p class="links no-print">
                            <a href=format!("/dashboard/units?month={}", t.prev)>{format!("← {}", t.prev)}</a>
                            {t.next.clone().map(|n| view! { " "<a href=format!("/dashboard/units?month={n}")>{format!("{n} →")}</a> })}
                            " "<a href=format!("/api/v1/stats/units?month={}&format=csv", t.month) data-test-id="csv" download>"下载表格（CSV）"</a>
                            " "<button type="button" class="btn small" data-print hidden>"打印"</button>
                        </p>
                        {
                            let (rated, satisfied) = t.units.iter().fold((0, 0), |(r, s), u| (r + u.rated, s + u.satisfied));
                            view! {
                                <p data-test-id="tongbao-satisfaction">
                                    {format!("本月群众满意率 {}（评价 {rated} 条）", percent(crate::domain::supervision::satisfaction_rate(satisfied, rated)))}
                                </p>
                            }
                        }
                        <div class="table-wrap" tabindex="0" role="region" aria-label="月度通报表">
                            <table class="numbers" data-test-id="tongbao-table">
                                <thead><tr><th>"排名"</th><th>"单位"</th><th>"交办"</th><th>"销号"</th><th>"按期销号"</th><th>"逾期"</th><th>"返工"</th><th>"按期率"</th><th>"退回"</th><th>"督办"</th><th>"评价"</th><th>"满意率"</th></tr></thead>
                                <tbody>
                                    {t.units.into_iter().map(|u| view! {
                                        <tr data-test-id=format!("tongbao-{}", u.unit_id)>
                                            <td>{u.rank}</td><td>{u.unit_name}</td><td>{u.assigned}</td><td>{u.closed}</td>
                                            <td>{u.closed_on_time}</td><td>{u.overdue}</td><td>{u.reopened}</td><td>{percent(u.on_time_rate)}</td>
                                            <td>{u.returned}</td><td>{u.urged}</td><td>{u.rated}</td>
                                            <td>{percent(crate::domain::supervision::satisfaction_rate(u.satisfied, u.rated))}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small">"交办：当月交办的问题；销号：当月销号的问题；按期：在整改期限内完成整改；逾期：当月到期而未按期整改；返工：当月督查不合格退回；退回：当月以“不属本单位”退回的问题；督办：当月被督办的次数；评价、满意率：当月举报人对本单位整改的评价条数，及其中4–5星的比例。"</p>
                    </section>
                }.into_any()
        }/>
    }
}
