//! Consoles of the closed loop: 审核 (review queue with redaction), 整改 (a
//! unit's task list), 督查 (verification queue). Plain forms posting to
//! server functions, so they work without JavaScript; redaction and the
//! rectify upload are islands.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Photos, StatusPill};
use crate::api::{
    MergeReport, QueueItem, ReassignReport, ReturnReport, ReviewReport, VerifyReport,
    moderation_queue, unit_tasks,
};
use crate::domain::report::short_time;
use crate::domain::supervision::{REJECT_PRESETS, span_text};
use crate::models::{Category, Report, Unit};
use crate::ui::{FormError, Loaded};

/// The shared head of a report in a console.
#[component]
fn ReportSummary(report: Report) -> impl IntoView {
    view! {
        <p class="report-head">
            <a href=format!("/reports/{}", report.id)><strong>{format!("#{} {}", report.id, report.category_name)}</strong></a>
            " "
            <StatusPill report=report.clone()/>
        </p>
        <p class="report-desc">{report.description.clone()}</p>
        <p class="muted small">
            {short_time(&report.created_at)}
            {(!report.address.is_empty()).then(|| format!(" · {}", report.address))}
            {report.unit_name.clone().map(|u| format!(" · {u}"))}
            {report.deadline.clone().map(|d| format!(" · 期限 {}", short_time(&d)))}
        </p>
    }
}

/// 审核: approve to a unit (routing's pick preselected), reject with a
/// reason, or merge into an original; black out faces and plates first.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| moderation_queue("pending_review".into()));
    let returned = Resource::new(|| (), |_| moderation_queue("returned".into()));
    let open = use_query_map()
        .read_untracked()
        .get("open")
        .and_then(|s| s.parse::<i64>().ok());
    let error = crate::returned_error!(ReviewReport, MergeReport, ReassignReport);
    view! {
        <Title text="审核"/>
        <section class="card">
            <h1>"随手拍审核"</h1>
            <p class="links"><a href="/manage/verify">"督查队列"</a>" · "<a href="/reports">"公开列表"</a></p>
            <FormError error=error/>
        </section>
        <Loaded data=returned render=move |q| {
                if q.items.is_empty() {
                    return ().into_any();
                }
                let units = q.units.clone();
                view! {
                    <h2 class="queue-head" data-test-id="returned-head">{format!("退回待改派（{}）", q.total)}</h2>
                    {q.items.into_iter().map(|item| view! { <ReturnedItem item units=units.clone()/> }).collect_view()}
                }.into_any()
        }/>
        <Loaded data=data render=move |q| {
                if q.items.is_empty() {
                    return view! { <p class="card muted" data-test-id="queue-empty">"没有待审核的报告。"</p> }.into_any();
                }
                // One report open at a time (the asked one, else the oldest):
                // approving it brings the next.
                let open = open.or_else(|| q.items.first().map(|i| i.report.id));
                let (current, rest): (Vec<_>, Vec<_>) = q.items.into_iter().partition(|i| Some(i.report.id) == open);
                let (units, categories) = (q.units, q.categories);
                view! {
                    <p class="queue-head" data-test-id="review-count">{format!("待审核 {} 条", q.total)}</p>
                    {current.into_iter().map(|item| view! { <ReviewItem item units=units.clone() categories=categories.clone()/> }).collect_view()}
                    {(!rest.is_empty()).then(|| view! {
                        <section class="card">
                            <h2>"接下来"</h2>
                            <ol class="queue" data-test-id="review-list">
                                {rest.into_iter().map(|i| view! {
                                    <li>
                                        <a href=format!("/manage/review?open={}", i.report.id) data-test-id=format!("queue-{}", i.report.id)>
                                            {format!("#{} {}", i.report.id, i.report.category_name)}
                                        </a>
                                        <span class="muted small">{format!(" · 已等 {} · {}", span_text(i.waited_ms, true), i.report.description)}</span>
                                    </li>
                                }).collect_view()}
                            </ol>
                        </section>
                    })}
                }.into_any()
        }/>
    }
}

#[component]
fn ReviewItem(item: QueueItem, units: Vec<Unit>, categories: Vec<Category>) -> impl IntoView {
    let r = item.report;
    let id = r.id;
    let waited = span_text(item.waited_ms, true);
    let nearby = item.nearby;
    let category = r.category_id;
    let suggested = item.suggested_unit;
    let photos = r.photos.clone();
    let has_photos = !photos.is_empty();
    // A request from a city system (Open311): who sent it, and its own photo
    // link, opened only by the moderator's choice (never fetched by us).
    let open311 = (r.source == "open311").then(|| {
        let media = r.media_url.clone();
        view! {
            <p class="source-note" data-test-id="open311-source">
                {format!("来自接入系统：{}", r.reporter_name.clone().unwrap_or_default())}
                {media.map(|m| view! {
                    " · "<a href=m rel="noopener noreferrer nofollow" target="_blank">"对方提供的照片链接（外部网站）"</a>
                })}
            </p>
        }
    });
    view! {
        <section class="card review" data-test-id=format!("review-{id}")>
            <ReportSummary report=r.clone()/>
            <p class="muted small" data-test-id="waited">{format!("已等待 {waited}")}</p>
            {open311}
            {has_photos.then(|| view! {
                <div class="redact-list">
                    {photos.into_iter().map(|p| view! { <RedactTool report_id=id photo_id=p.id src=p.url/> }).collect_view()}
                    <p class="field-hint">"审核通过后照片会公开：请先在照片上拖出人脸、车牌等区域，点“遮挡所选区域”。"</p>
                </div>
            })}
            <form method="post" action=ReviewReport::PATH class="stack">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="decision" value="approve"/>
                <label>"类别（选错了可更正，单位和期限随之调整）"
                    <select name="category_id" data-test-id="review-category">
                        {categories.into_iter().map(|c| view! {
                            <option value=c.id selected=c.id == category>{c.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"责任单位"
                    <select name="unit_id" data-test-id="review-unit">
                        <option value="" selected=suggested.is_none()>"（按路段/网格自动分派）"</option>
                        {units.into_iter().map(|u| view! {
                            <option value=u.id selected=suggested == Some(u.id)>{u.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                {suggested.is_none().then(|| view! { <p class="field-hint">"该位置不在任何路段或网格内，请选择单位。"</p> })}
                <label>"整改期限（天，留空按类别）"
                    <input type="number" name="deadline_days" min="1" max="90" inputmode="numeric"/>
                </label>
                <button type="submit" class="btn primary" data-test-id="approve">"通过并交办"</button>
            </form>
            <form method="post" action=ReviewReport::PATH class="stack">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="decision" value="reject"/>
                <label>"不通过的原因"
                    <input type="text" name="reason" maxlength="200" required=true data-test-id="reject-reason"/>
                </label>
                <button type="submit" class="btn" data-test-id="reject">"不通过"</button>
            </form>
            <div class="presets" role="group" aria-label="常用不通过原因">
                {REJECT_PRESETS.iter().map(|reason| view! {
                    <form method="post" action=ReviewReport::PATH class="inline">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="decision" value="reject"/>
                        <input type="hidden" name="reason" value=*reason/>
                        <button type="submit" class="btn small" data-test-id=format!("reject-{reason}")>{format!("不通过：{reason}")}</button>
                    </form>
                }).collect_view()}
            </div>
            {(!nearby.is_empty()).then(|| view! {
                <div class="nearby" data-test-id="review-nearby">
                    <p><strong>"附近100米内同类未办结的报告："</strong></p>
                    <ul>
                        {nearby.into_iter().map(|o| view! {
                            <li>
                                <a href=format!("/reports/{}", o.id)>{format!("#{} {}", o.id, o.description)}</a>
                                {format!(" · 约{:.0}米 ", o.distance_m.unwrap_or(0.0))}
                                <form method="post" action=MergeReport::PATH class="inline">
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="into_id" value=o.id/>
                                    <button type="submit" class="btn small" data-test-id=format!("merge-into-{}", o.id)>"合并到此"</button>
                                </form>
                            </li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            <form method="post" action=MergeReport::PATH class="stack">
                <input type="hidden" name="id" value=id/>
                <label>"与已有报告重复：原报告编号"
                    <input type="number" name="into_id" min="1" inputmode="numeric" data-test-id="merge-into"/>
                </label>
                <button type="submit" class="btn" data-test-id="merge">"合并"</button>
            </form>
        </section>
    }
}

/// A report its unit sent back: the reason, routing's suggestion and the
/// unit's record of returns; 改派 to another unit, or refuse (the same one).
#[component]
fn ReturnedItem(item: QueueItem, units: Vec<Unit>) -> impl IntoView {
    let r = item.report;
    let id = r.id;
    let from = r.unit_id;
    let pick = item.suggested_unit.filter(|u| Some(*u) != from);
    let from_name = r.unit_name.clone().unwrap_or_default();
    view! {
        <section class="card review returned" data-test-id=format!("returned-{id}")>
            <ReportSummary report=r.clone()/>
            <p data-test-id="return-reason"><strong>{format!("{from_name}退回：")}</strong>{item.return_reason.unwrap_or_default()}</p>
            {item.returns.map(|h| view! {
                <p class="muted small" data-test-id="return-history">
                    {format!("该单位近90天退回{}条，其中{}条被驳回退回", h.returned, h.refused)}
                </p>
            })}
            <form method="post" action=ReassignReport::PATH class="stack">
                <input type="hidden" name="id" value=id/>
                <label>"改派给"
                    <select name="unit_id" required=true data-test-id="reassign-unit">
                        <option value="" selected=pick.is_none()>"（请选择单位）"</option>
                        {units.iter().filter(|u| Some(u.id) != from).map(|u| view! {
                            <option value=u.id selected=pick == Some(u.id)>
                                {if item.suggested_unit == Some(u.id) { format!("{}（按位置建议）", u.name) } else { u.name.clone() }}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"整改期限（天，留空按类别）"
                    <input type="number" name="deadline_days" min="1" max="90" inputmode="numeric"/>
                </label>
                <label>"说明（选填）"<input type="text" name="note" maxlength="200"/></label>
                <button type="submit" class="btn primary" data-test-id="reassign">"改派"</button>
            </form>
            {from.map(|u| view! {
                <form method="post" action=ReassignReport::PATH class="stack">
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="unit_id" value=u/>
                    <label>"退回理由不成立：说明"<input type="text" name="note" maxlength="200" data-test-id="refuse-note"/></label>
                    <button type="submit" class="btn" data-test-id="refuse-return">{format!("驳回退回，仍由{from_name}整改")}</button>
                </form>
            })}
        </section>
    }
}

/// 督查: close (销号) or reopen (返工) what a unit rectified; disputed first.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| moderation_queue("rectified".into()));
    let error = crate::returned_error!(VerifyReport);
    view! {
        <Title text="督查"/>
        <section class="card">
            <h1>"整改督查"</h1>
            <p class="links"><a href="/manage/review">"审核队列"</a></p>
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |q| {
                if q.items.is_empty() {
                    return view! { <p class="card muted" data-test-id="queue-empty">"没有待督查的报告。"</p> }.into_any();
                }
                q.items.into_iter().map(|item| {
                    let r = item.report;
                    let id = r.id;
                    let before: Vec<_> = r.photos.iter().filter(|p| p.kind == "before").cloned().collect();
                    let after: Vec<_> = r.photos.iter().filter(|p| p.kind == "after").cloned().collect();
                    let last_note = r.timeline.iter().rev().find(|e| e.action == "rectified").map(|e| e.note.clone());
                    view! {
                        <section class="card review" data-test-id=format!("verify-{id}")>
                            <ReportSummary report=r.clone()/>
                            {last_note.map(|n| view! { <p>"整改说明："{n}</p> })}
                            <Photos title="上报照片" photos=before test_id="photos-before"/>
                            <Photos title="整改后照片" photos=after test_id="photos-after"/>
                            <form method="post" action=VerifyReport::PATH class="stack">
                                <input type="hidden" name="id" value=id/>
                                <label>"督查意见"
                                    <input type="text" name="note" maxlength="500" data-test-id="verify-note"/>
                                </label>
                                <button type="submit" name="decision" value="close" class="btn primary" data-test-id="close">"通过，销号"</button>
                                " "
                                <button type="submit" name="decision" value="reopen" class="btn" data-test-id="reopen">"返工"</button>
                            </form>
                        </section>
                    }
                }).collect_view().into_any()
        }/>
    }
}

/// A unit's tasks: red, yellow (督办), then nearest deadline first; the
/// deadline clock on each, a 导航 link, rectify with photos, or 退回.
#[component]
pub fn UnitPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| unit_tasks());
    let done = use_query_map().read_untracked().get("done");
    let error = crate::returned_error!(ReturnReport);
    view! {
        <Title text="整改任务"/>
        <section class="card">
            <h1>"整改任务"</h1>
            <p class="muted">"红牌、黄牌督办的在最前面，其余按期限排列。整改后请上传现场照片；不属本单位职责的请退回并写明原因。"</p>
            {done.map(|id| view! { <p class="saved" role="status" data-test-id="returned-done">{format!("#{id} 已退回，创城办会重新交办。")}</p> })}
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |page| {
                if page.items.is_empty() {
                    return view! { <p class="card muted" data-test-id="tasks-empty">"没有待整改的报告。"</p> }.into_any();
                }
                view! {
                    <p class="queue-head" data-test-id="task-count">{format!("待整改 {} 条", page.total)}</p>
                    {page.items.into_iter().map(|r| {
                        let id = r.id;
                        let photos: Vec<_> = r.photos.iter().filter(|p| p.kind == "before").cloned().collect();
                        // Amap's own link takes the phone's WGS-84 position as it is.
                        let nav = format!(
                            "https://uri.amap.com/marker?position={},{}&coordinate=wgs84&callnative=1",
                            r.lon, r.lat
                        );
                        view! {
                            <section class="card review" data-test-id=format!("task-{id}")>
                                <ReportSummary report=r.clone()/>
                                <p><a class="btn small" href=nav rel="noopener noreferrer" target="_blank" data-test-id="navigate">"导航"</a></p>
                                <Photos title="上报照片" photos test_id="photos-before"/>
                                <RectifyForm report_id=id/>
                                <details class="return-box">
                                    <summary data-test-id=format!("return-open-{id}")>"不属本单位？退回"</summary>
                                    <form method="post" action=ReturnReport::PATH class="stack">
                                        <input type="hidden" name="id" value=id/>
                                        <label>"退回原因"
                                            <input type="text" name="reason" minlength="2" maxlength="200" required=true
                                                placeholder="如：该井盖归供水公司" data-test-id="return-reason"/>
                                        </label>
                                        <button type="submit" class="btn" data-test-id="return">"退回"</button>
                                    </form>
                                </details>
                            </section>
                        }
                    }).collect_view()}
                }.into_any()
        }/>
    }
}

/// Moderators drag a rectangle over a face or a number plate and black it
/// out (made interactive by public/zhuomu.js).
#[component]
fn RedactTool(report_id: i64, photo_id: i64, src: String) -> impl IntoView {
    view! {
        <div class="redact" data-redact=format!("/api/v1/reports/{report_id}/photos/{photo_id}/redact")
            data-test-id=format!("redact-{photo_id}")>
            <div class="redact-area" data-test-id="redact-area">
                <img src=src alt="待审核的照片" draggable="false"/>
            </div>
            <button type="button" class="btn" data-test-id="redact-apply">"遮挡所选区域"</button>
            <p class="form-error" role="alert"></p>
        </div>
    }
}

/// Unit staff: a note and 1–4 after photos (整改), sent by public/zhuomu.js
/// (shrunk in the browser; kept offline until the network returns).
#[component]
fn RectifyForm(report_id: i64) -> impl IntoView {
    view! {
        <form class="rectify-form" data-upload=format!("/api/v1/reports/{report_id}/rectify")
            data-test-id=format!("rectify-{report_id}") novalidate=true>
            <label for=format!("note-{report_id}")>"整改情况"</label>
            <textarea id=format!("note-{report_id}") name="note" rows="2" maxlength="500" data-test-id="rectify-note"></textarea>
            <label class="btn">
                "上传整改后照片"
                <input type="file" name="photo" accept="image/*" multiple=true class="sr-only" data-test-id="rectify-photo"/>
            </label>
            <p class="form-error" role="alert"></p>
            <button type="submit" class="btn primary" data-test-id="rectify-submit">"提交整改"</button>
        </form>
    }
}
