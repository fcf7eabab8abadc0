"""`/api/me`: who the caller is and what they hold, for integrators checking a token."""

from ninja import Router, Schema

from fazhi.core.models import Membership

router = Router(tags=["me"])


class MembershipOut(Schema):
    agency: str
    role: str
    role_label: str
    department: str | None


class MeOut(Schema):
    username: str
    display_name: str
    memberships: list[MembershipOut]


@router.get("/me", response=MeOut)
def me(request):
    user = request.user
    memberships = (
        Membership.objects.active().filter(user=user).select_related("agency", "department")
    )
    return {
        "username": user.username,
        "display_name": user.display_name,
        "memberships": [
            {
                "agency": m.agency.name,
                "role": m.role,
                "role_label": str(m.get_role_display()),
                "department": m.department.name if m.department else None,
            }
            for m in memberships
        ],
    }
