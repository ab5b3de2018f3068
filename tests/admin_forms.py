"""Build an admin POST from the page itself, as a browser would: the main form's current values plus
every inline formset (management form included), so tests keep working when an app adds an inline."""

from django.forms import CheckboxInput, MultiWidget, Select, SelectMultiple


def _field_data(bound_field) -> dict:
    widget = bound_field.field.widget
    value = bound_field.value()
    name = bound_field.html_name
    if isinstance(widget, MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        return {
            f"{name}_{i}": sub.format_value(part) or ""
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False))
        }
    if isinstance(widget, CheckboxInput):
        return {name: "on"} if value else {}
    if value is None:
        return {name: ""}
    if isinstance(widget, SelectMultiple):
        return {name: [str(v) for v in value]}
    if isinstance(widget, Select):
        return {name: str(value)}
    if isinstance(value, list | tuple):
        return {name: [str(v) for v in value]}
    formatted = widget.format_value(value)
    return {name: "" if formatted is None else str(formatted)}


def _form_data(form) -> dict:
    data = {}
    for bound_field in form:
        if not bound_field.field.disabled:
            data.update(_field_data(bound_field))
    return data


def admin_form_data(response, **overrides) -> dict:
    """POST data for the add/change page in ``response`` (a GET), with ``overrides`` applied."""
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({f"{formset.prefix}-{name}": management[name].value() for name in management.fields})
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(overrides)
    return data
