"""Reference data in /admin/: the organisation chart of each agency. Every change is an event."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from fazhi.core import agency_settings, audit
from fazhi.core.admin_site import reference_admin
from fazhi.core.errors import DomainError
from fazhi.core.models import Agency, AgencySetting, Committee, Department, Subdistrict
from fazhi.core.roles import Role
from fazhi.core.tenancy import agencies_with_role


def _admin_agency_ids(user) -> list[int] | None:
    """None means every agency (installation superuser)."""
    return None if user.is_superuser else agencies_with_role(user, Role.SYSADMIN)


class AuditedAdmin(admin.ModelAdmin):
    """Writes an event for every add, change and delete made in the admin."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            "reference.change" if change else "reference.add",
            actor=request.user,
            agency=getattr(obj, "agency", obj if isinstance(obj, Agency) else None),
            target=obj,
            request=request,
            data={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        audit.record(
            "reference.delete",
            actor=request.user,
            agency=getattr(obj, "agency", None),
            target=obj,
            request=request,
        )
        super().delete_model(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Bulk deletes bypass delete_model (and so the audit); allow single deletes only.
        return super().has_delete_permission(request, obj) and obj is not None


class ScopedAdmin(AuditedAdmin):
    """Rows and choices limited to the agencies the system administrator runs."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _admin_agency_ids(request.user)
        return qs if ids is None else qs.filter(agency_id__in=ids)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = _admin_agency_ids(request.user)
        if ids is not None and db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(id__in=ids)
        if ids is not None and db_field.name == "subdistrict":
            kwargs["queryset"] = Subdistrict.objects.filter(agency_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request) -> bool:
        return reference_admin.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return reference_admin.has_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None) -> bool:
        return reference_admin.has_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return reference_admin.has_permission(request) and obj is not None


@admin.register(Agency, site=reference_admin)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "region", "is_active"]
    search_fields = ["name", "code"]

    # Creating agencies is an installation act; a system administrator sees only their own.
    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _admin_agency_ids(request.user)
        return qs if ids is None else qs.filter(id__in=ids)

    def has_module_permission(self, request) -> bool:
        return reference_admin.has_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return reference_admin.has_permission(request)

    def has_add_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return reference_admin.has_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Department, site=reference_admin)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "agency", "kind", "is_legal_office", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["agency"]


@admin.register(Subdistrict, site=reference_admin)
class SubdistrictAdmin(ScopedAdmin):
    list_display = ["name", "agency", "kind", "sort_order"]
    search_fields = ["name"]
    list_select_related = ["agency"]


@admin.register(Committee, site=reference_admin)
class CommitteeAdmin(ScopedAdmin):
    list_display = ["name", "subdistrict", "kind", "agency"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["agency", "subdistrict"]


class AgencySettingForm(forms.ModelForm):
    """Choose a registered setting and type its value; the help text shows default and source."""

    key = forms.ChoiceField(label=_("设置项"))
    value = forms.CharField(label=_("取值"), max_length=200)

    class Meta:
        model = AgencySetting
        fields = ["agency", "key", "value", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [
            (d.key, f"{d.label}（{d.help_text()}）") for d in agency_settings.definitions()
        ]
        if self.instance.pk:
            self.initial["value"] = self.instance.value
        self.fields["reason"].required = True

    def clean(self):
        data = super().clean()
        if data.get("key") and "value" in data:
            try:
                data["value"] = agency_settings.definition(data["key"]).clean(data["value"])
            except DomainError as exc:
                self.add_error("value", str(exc.message))
        return data


@admin.register(AgencySetting, site=reference_admin)
class AgencySettingAdmin(ScopedAdmin):
    """Changes go through the settings service, which records the old and new value."""

    form = AgencySettingForm
    list_display = ["agency", "key", "value", "reason", "updated_at"]
    list_select_related = ["agency"]

    def save_model(self, request, obj, form, change):
        saved = agency_settings.setting_set(
            actor=request.user,
            agency=form.cleaned_data["agency"],
            key=form.cleaned_data["key"],
            value=form.cleaned_data["value"],
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        agency_settings.setting_reset(
            actor=request.user, agency=obj.agency, key=obj.key, request=request
        )
