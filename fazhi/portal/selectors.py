from django.db.models import Prefetch, QuerySet

from fazhi.core.models import Agency, Department, Subdistrict


def public_agencies() -> QuerySet[Agency]:
    """Active agencies with their public organisation chart (机构设置)."""
    return (
        Agency.objects.filter(is_active=True)
        .prefetch_related(
            Prefetch("departments", queryset=Department.objects.order_by("sort_order", "name")),
            Prefetch("subdistricts", queryset=Subdistrict.objects.order_by("sort_order", "name")),
        )
        .order_by("name")
    )
