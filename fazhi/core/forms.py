"""Form helpers: Bootstrap classes and accessible descriptions on every widget."""

from __future__ import annotations

from django import forms


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_help"


def form_error_messages(request, form) -> None:
    """Each of a refused form's errors as a page message "字段：错误", so a person sees why even
    where the form is one of several on a record page."""
    from django.contrib import messages

    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = field.label if field is not None and field.label else ""
        text = " ".join(str(error) for error in errors)
        messages.error(request, f"{label}：{text}" if label else text)
