"""The NinjaAPI instance, its authentication and its error shape (design "API conventions").

Every error answers `{"code": "...", "message": "<Chinese text>", "detail": ...}` with the status
of the design: 401 unauthenticated, 403 role may not, 404 not visible, 409 state changed or
guard refuses, 422 invalid input.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from fazhi.api.tokens import user_for_token
from fazhi.core.errors import DomainError, NotAllowed


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class StaffSession(APIKeyCookie):
    """The browser session of a signed-in user who has passed every gate."""

    param_name = "sessionid"

    def _get_key(self, request):
        # Our own lookup because the cookie name differs between dev and production; it must
        # keep ninja's CSRF check, which the method it replaces does: a page of another site
        # must not make a signed-in browser POST to the API.
        from ninja.utils import check_csrf

        if check_csrf(request) is not None:
            raise NotAllowed(
                _("请求缺少有效的安全令牌（CSRF），请刷新页面后重试。"), code="csrf_failed"
            )
        return request.COOKIES.get(_session_cookie_name())

    def authenticate(self, request: HttpRequest, key):
        from fazhi.accounts.services import otp_required, password_expired

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if password_expired(user) or (otp_required(user) and not user.is_verified()):
            return None
        return user


def _session_cookie_name() -> str:
    from django.conf import settings

    return settings.SESSION_COOKIE_NAME


def build_api(**options) -> NinjaAPI:
    """A NinjaAPI with Fazhi's authentication and error shape (the project has one; tests of
    generic routes build their own)."""
    instance = NinjaAPI(auth=[BearerToken(), StaffSession()], **options)

    def error(request, code: str, message, status: int, detail=None):
        return instance.create_response(
            request, {"code": code, "message": str(message), "detail": detail}, status=status
        )

    @instance.exception_handler(DomainError)
    def _domain_error(request, exc: DomainError):
        return error(request, exc.code, exc.message, exc.status, exc.params or None)

    @instance.exception_handler(Http404)
    def _not_found(request, exc):
        return error(request, "not_found", _("记录不存在或您无权查看。"), 404)

    @instance.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return error(request, "not_allowed", _("您没有执行此操作的权限。"), 403)

    @instance.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return error(request, "unauthenticated", _("请先登录或提供有效的接口令牌。"), 401)

    @instance.exception_handler(NinjaValidationError)
    def _invalid(request, exc: NinjaValidationError):
        detail = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]),
                "message": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return error(request, "invalid_input", _("输入不符合要求。"), 422, detail)

    @instance.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        # Raised by ninja itself (our code raises DomainError): its texts are English, so the
        # client gets the project's Chinese message for the status instead.
        if exc.status_code == 400:
            return error(
                request, "unparsable_body", _("请求内容无法解析，请以 JSON 格式提交。"), 400
            )
        return error(request, "http_error", _("请求无法处理。"), exc.status_code)

    return instance


api = build_api(
    title="法治 Fazhi API",
    version="1",
    description="依法行政工作平台接口。认证：浏览器会话或 `Authorization: Bearer <令牌>`。",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_router("/", "fazhi.api.me.router")
api.add_router("/files", "fazhi.core.files.api.router")
api.add_router("/rules", "fazhi.rules.api.router")
api.add_router("/public/calendar", "fazhi.core.calendar.api.public_router")
api.add_router("/public/rules", "fazhi.rules.api.public.public_router")
api.add_router("/disclosure/requests", "fazhi.disclosure.api.requests.router")
api.add_router("/disclosure/challenges", "fazhi.disclosure.api.challenges.router")
api.add_router("/disclosure/reports", "fazhi.disclosure.api.reports.router")
api.add_router("/public/disclosure", "fazhi.disclosure.api.public.public_router")
api.add_router("/disclosure/records", "fazhi.disclosure.api.proactive.router")
api.add_router("/public/disclosure/catalogue", "fazhi.disclosure.api.proactive.public_router")
api.add_router("/public/disclosure/reports", "fazhi.disclosure.api.reports.public_router")
api.add_router("/oversight/findings", "fazhi.oversight.api.findings.router")
api.add_router("/oversight/spot-checks", "fazhi.oversight.api.spotchecks.router")
api.add_router("/oversight/visits", "fazhi.oversight.api.visits.router")
api.add_router("/oversight/inspections", "fazhi.oversight.api.inspections.router")
api.add_router("/oversight/committees", "fazhi.oversight.api.committees.router")
api.add_router("/oversight/evaluations", "fazhi.oversight.api.evaluations.router")
api.add_router("/public/oversight", "fazhi.oversight.api.public.public_router")
api.add_router("/services/powers", "fazhi.services.api.powers.router")
api.add_router("/public/services", "fazhi.services.api.powers.public_router")
api.add_router("/services/cases", "fazhi.services.api.cases.router")
api.add_router("/services/centers", "fazhi.services.api.centers.router")
api.add_router("/services/appointments", "fazhi.services.api.appointments.router")
api.add_router("/public/services/appointments", "fazhi.services.api.appointments.public_router")
api.add_router("/services/ratings", "fazhi.services.api.ratings.router")
api.add_router("/public/services/ratings", "fazhi.services.api.ratings.public_router")
