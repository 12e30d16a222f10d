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
    MergeReport, QueueItem, ReviewReport, VerifyReport, moderation_queue, unit_tasks,
};
use crate::domain::report::short_time;
use crate::models::{Report, Unit};
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
    let error = crate::returned_error!(ReviewReport, MergeReport);
    view! {
        <Title text="审核"/>
        <section class="card">
            <h1>"随手拍审核"</h1>
            <p class="links"><a href="/manage/verify">"督查队列"</a>" · "<a href="/reports">"公开列表"</a></p>
            <FormError error=error/>
        </section>
        <Loaded data=data render=move |q| {
                if q.items.is_empty() {
                    return view! { <p class="card muted" data-test-id="queue-empty">"没有待审核的报告。"</p> }.into_any();
                }
                let units = q.units.clone();
                q.items.into_iter().map(|item| view! { <ReviewItem item units=units.clone()/> }).collect_view().into_any()
        }/>
    }
}

#[component]
fn ReviewItem(item: QueueItem, units: Vec<Unit>) -> impl IntoView {
    let r = item.report;
    let id = r.id;
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

/// A unit's tasks: nearest deadline (so overdue) first, rectify with photos.
#[component]
pub fn UnitPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| unit_tasks());
    let _ = use_query_map();
    view! {
        <Title text="整改任务"/>
        <section class="card">
            <h1>"整改任务"</h1>
            <p class="muted">"按期限排列，超期的在最前面。整改后请上传现场照片。"</p>
        </section>
        <Loaded data=data render=move |page| {
                if page.items.is_empty() {
                    return view! { <p class="card muted" data-test-id="tasks-empty">"没有待整改的报告。"</p> }.into_any();
                }
                page.items.into_iter().map(|r| {
                    let id = r.id;
                    let photos: Vec<_> = r.photos.iter().filter(|p| p.kind == "before").cloned().collect();
                    view! {
                        <section class="card review" data-test-id=format!("task-{id}")>
                            <ReportSummary report=r.clone()/>
                            <Photos title="上报照片" photos test_id="photos-before"/>
                            <RectifyForm report_id=id/>
                        </section>
                    }
                }).collect_view().into_any()
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
