"""Settings (profile, password, API keys) and analytics pages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from clippy.accounts import (
    ApiKeyNotFound,
    BrowserNotFound,
    InvalidCredentials,
    Throttled,
    WeakPassword,
    change_password,
    create_api_key,
    get_plan,
    list_api_keys,
    list_browsers,
    revoke_api_key,
    revoke_browser,
    utc_day,
    visible_user_ids,
)
from clippy.clips import analytics
from clippy.db import User, Webhook
from clippy.detect import LABELS as LENGTH_LABELS
from clippy.detect import InvalidClipLength, stored_length, with_length
from clippy.export import exports_per_platform
from clippy.publish import PLATFORM_LABELS, published_per_platform
from clippy.transcribe import UnsupportedLanguage, language_support, with_language
from clippy.web.deps import SessionDep, get_ctx, webhook_policy
from clippy.web.pages.charts import bar_chart, hbar_chart
from clippy.web.pages.language import language_context
from clippy.web.pages.security import CsrfChecked, PageUser, start_session
from clippy.web.pages.templating import render
from clippy.web.params import IdPath
from clippy.web.throttling import mark_throttled, take_attempt
from clippy.webhooks import (
    DELIVERIES_PER_WEBHOOK,
    DELIVERY_RETENTION,
    WEBHOOK_EVENTS,
    WebhookError,
    WebhookNotFound,
    add_endpoint,
    get_endpoint,
    list_endpoints,
    recent_deliveries,
    remove_endpoint,
    require_webhooks,
)

router = APIRouter(prefix="/app", include_in_schema=False)

_SHOWN_DELIVERIES = 10  # per webhook on the settings page (the API pages through more)


def _settings_page(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    new_key: str = "",
    new_hook: Webhook | None = None,
    errors: dict[str, str] | None = None,
    notice: str = "",
    status_code: int = 200,
) -> Response:
    hooks = list_endpoints(session, user.id)
    ctx: dict[str, Any] = {
        "user": user,
        "keys": list_api_keys(session, user.id),
        "browsers": list_browsers(session, user.id),
        "new_key": new_key,
        "webhooks": hooks,
        "deliveries": recent_deliveries(session, [h.id for h in hooks], _SHOWN_DELIVERIES),
        "delivery_retention": (DELIVERIES_PER_WEBHOOK, DELIVERY_RETENTION.days),
        "webhook_events": WEBHOOK_EVENTS,
        "can_webhooks": get_plan(user.plan).api_and_webhooks,
        "new_hook": new_hook,
        "errors": errors or {},
        "notice": notice or _notice(request),
        "clip_length": stored_length(user.settings),
        "clip_length_default": get_ctx(request).settings.clip_length,
        "clip_lengths": LENGTH_LABELS,
        "lang": language_context(get_ctx(request).settings, user.settings),
    }
    return render(request, "app/settings.html", ctx, status_code=status_code)


def _notice(request: Request) -> str:
    return {
        "password": "Password changed. Other browsers were logged out.",
        "profile": "Profile saved.",
        "revoked": "API key revoked. Programs using it are refused from now on.",
        "browser_revoked": "Browser disconnected. Its extension is refused from now on.",
        "hook_removed": "Webhook removed. Nothing more is sent to it.",
        "hook_test": "Test event sent. Its delivery is listed under the webhook.",
        "clip_length": "Clip length saved. New clips use it from the next segment.",
        "language": "Language saved. Streams without their own choice use it from the next "
        "segment.",
    }.get(request.query_params.get("saved", ""), "")


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Profile, password, API keys and (business) webhooks."""
    return _settings_page(request, session, user)


@router.post("/settings/clip-length", dependencies=[CsrfChecked])
def save_clip_length(
    request: Request,
    session: SessionDep,
    user: PageUser,
    clip_length: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Set how long the account's clips are (streams may choose their own)."""
    try:
        user.settings = with_length(user.settings, clip_length or None)
    except InvalidClipLength as exc:
        errors = {"clip_length": f"{str(exc).capitalize()}. Nothing was saved."}
        return _settings_page(request, session, user, errors=errors, status_code=400)
    return RedirectResponse("/app/settings?saved=clip_length#clip-length", 303)


@router.post("/settings/language", dependencies=[CsrfChecked])
def save_language(
    request: Request,
    session: SessionDep,
    user: PageUser,
    language: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Set the language the account's streams are spoken in ("" follows the server's default);
    a language the server's model cannot recognise is refused with what to change."""
    try:
        support = language_support(get_ctx(request).settings)
        user.settings = with_language(user.settings, language or None, support)
    except UnsupportedLanguage as exc:
        errors = {"language": f"{str(exc)[:1].upper()}{str(exc)[1:]}. Nothing was saved."}
        return _settings_page(request, session, user, errors=errors, status_code=400)
    return RedirectResponse("/app/settings?saved=language#language", 303)


@router.post("/settings/profile", dependencies=[CsrfChecked])
def save_profile(
    session: SessionDep,
    user: PageUser,
    display_name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """Change the display name."""
    user.display_name = display_name.strip()
    session.flush()
    return RedirectResponse("/app/settings?saved=profile", 303)


@router.post("/settings/password", dependencies=[CsrfChecked])
def save_password(
    request: Request,
    session: SessionDep,
    user: PageUser,
    current: Annotated[str, Form(max_length=1024)] = "",
    new: Annotated[str, Form(max_length=1024)] = "",
    confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Change the password; this browser stays logged in with a fresh session cookie."""
    if new != confirm:
        errors = {"password": "The new password and its confirmation differ."}
        return _settings_page(request, session, user, errors=errors, status_code=400)
    try:
        ticket = take_attempt(request, "password change", user.id)
        change_password(session, user, current, new)
    except (InvalidCredentials, WeakPassword, Throttled) as exc:
        msg = str(exc)
        errors = {"password": msg[:1].upper() + msg[1:] + "."}
        page = _settings_page(request, session, user, errors=errors, status_code=400)
        return mark_throttled(page, exc)
    ticket.refund()
    response = RedirectResponse("/app/settings?saved=password", 303)
    start_session(request, response, user)
    return response


@router.post("/settings/keys", dependencies=[CsrfChecked])
def new_key(
    request: Request,
    session: SessionDep,
    user: PageUser,
    name: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    """Create an API key and show it this once (only its hash is stored)."""
    _row, key = create_api_key(session, user.id, name or "Dashboard key")
    return _settings_page(request, session, user, new_key=key, status_code=201)


@router.post("/settings/keys/{key_id}/revoke", dependencies=[CsrfChecked])
def revoke_key(key_id: IdPath, request: Request, session: SessionDep, user: PageUser) -> Response:
    """Revoke one of the user's API keys."""
    try:
        revoke_api_key(session, user.id, key_id)
    except ApiKeyNotFound as exc:
        return _settings_page(request, session, user, errors={"keys": str(exc)}, status_code=404)
    return RedirectResponse("/app/settings?saved=revoked", 303)


@router.post("/settings/browsers/{browser_id}/revoke", dependencies=[CsrfChecked])
def revoke_browser_page(
    browser_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Disconnect one of the user's browsers; its key is refused from the next request on."""
    try:
        revoke_browser(session, user.id, browser_id)
    except BrowserNotFound as exc:
        errors = {"browsers": str(exc)}
        return _settings_page(request, session, user, errors=errors, status_code=404)
    return RedirectResponse("/app/settings?saved=browser_revoked#browsers", 303)


@router.post("/settings/webhooks", dependencies=[CsrfChecked])
async def new_webhook(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Register a webhook (business plan) and show its signing secret this once."""
    form = await request.form()
    url = str(form.get("url", ""))[:2000]
    events = [str(e) for e in form.getlist("events")]
    try:
        hook = add_endpoint(session, user, url, events, policy=webhook_policy(request))
    except WebhookError as exc:
        errors = _webhook_error(exc)
        return _settings_page(request, session, user, errors=errors, status_code=400)
    return _settings_page(request, session, user, new_hook=hook, status_code=201)


@router.post("/settings/webhooks/{hook_id}/delete", dependencies=[CsrfChecked])
def remove_webhook(
    hook_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Remove one of the user's webhooks."""
    try:
        remove_endpoint(session, user.id, hook_id)
    except WebhookError as exc:
        errors = _webhook_error(exc)
        return _settings_page(request, session, user, errors=errors, status_code=404)
    return RedirectResponse("/app/settings?saved=hook_removed#webhooks", 303)


def _webhook_error(exc: WebhookError) -> dict[str, str]:
    msg = str(exc)
    return {"webhooks": msg[:1].upper() + msg[1:] + "."}


@router.post("/settings/webhooks/{hook_id}/test", dependencies=[CsrfChecked])
def test_webhook(
    hook_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """Send a signed ``ping`` to one of the user's webhooks; its delivery shows up below it."""
    try:
        hook = get_endpoint(session, user.id, hook_id)
        require_webhooks(user)
    except WebhookError as exc:
        status = 404 if isinstance(exc, WebhookNotFound) else 403
        return _settings_page(
            request, session, user, errors=_webhook_error(exc), status_code=status
        )
    get_ctx(request).jobs.ping_webhook(hook)
    return RedirectResponse(f"/app/settings?saved=hook_test#webhook-{hook_id}", 303)


@router.get("/settings/webhooks/{hook_id}/deliveries", response_class=HTMLResponse)
def webhook_deliveries(
    hook_id: IdPath, request: Request, session: SessionDep, user: PageUser
) -> Response:
    """One webhook's recent deliveries (the fragment the page polls while one is pending)."""
    try:
        hook = get_endpoint(session, user.id, hook_id)
    except WebhookError as exc:
        return HTMLResponse(str(exc), status_code=404)
    rows = recent_deliveries(session, [hook_id], _SHOWN_DELIVERIES)[hook_id]
    ctx = {"hook": hook, "hook_deliveries": rows}
    return render(request, "app/_webhook_deliveries.html", ctx)


@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """Clips per day, reasons, scores, views and downloads, storage, exports per platform,
    per-stream summary."""
    ids = visible_user_ids(session, user)
    data = analytics(session, ids, utc_day(), exports=exports_per_platform(session, ids))
    per_day = bar_chart(
        [f"{d:%b} {d.day}" for d in data.days], data.clips_per_day, title="Clips per day"
    )
    reasons = hbar_chart(data.reasons, title="Why clips were made")
    exports = hbar_chart(data.exports, title="Exports per platform")
    ctx = {
        "user": user,
        "published": [
            (PLATFORM_LABELS[p], n) for p, n in published_per_platform(session, ids).items()
        ],
        "a": data,
        "per_day_svg": per_day,
        "reasons_svg": reasons,
        "exports_svg": exports,
    }
    return render(request, "app/analytics.html", ctx)
