"""What an import shows before it is confirmed: each changed row as old and new with the differences marked
(django-import-export's diff, made readable), and no more than CRF_IMPORT_PREVIEW_ROWS of them on the page."""

from diff_match_patch import diff_match_patch
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe
from import_export import resources
from import_export.results import Result, RowResult


class RowDiff(resources.Diff):
    """import-export's per-row diff (the admin's preview of a file), the same HTML, computed once per distinct
    pair of old and new values of the import, and a new row's blank side read once per import: the preview of
    a 1,600-row file spent a third of its time here (issue 19)."""

    def __init__(self, resource, instance, new):
        self.new, self.right = new, []
        self._html = resource._diff_html
        if new:
            if resource._blank_values is None:
                resource._blank_values = self._read_field_values(resource, instance)
            self.left = resource._blank_values
        else:
            self.left = self._read_field_values(resource, instance)

    def as_html(self):
        data = []
        for v1, v2 in zip(self.left, self.right, strict=False):
            pair = ("" if v1 != v2 and self.new else force_str(v1), force_str(v2))
            html = self._html.get(pair)
            if html is None:
                html = self._html[pair] = _html_diff(*pair)
            data.append(html)
        return data


def _html_diff(old: str, new: str) -> str:
    dmp = diff_match_patch()
    diff = dmp.diff_main(old, new)
    dmp.diff_cleanupSemantic(diff)
    return mark_safe(dmp.diff_prettyHtml(diff))  # noqa: S308 (diff_prettyHtml escapes the values)


class PreviewResult(Result):
    """An import's result that lists at most ``limit`` rows that would be imported (None: every row) and
    counts the rest in ``not_shown``, by what they would do (new, update, skip). Refused rows are always
    listed: their number is bounded by CRF_IMPORT_MAX_REFUSED_ROWS."""

    def __init__(self, *args, limit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.limit, self.rows_shown, self.not_shown = limit, 0, {}

    def append_row_result(self, row_result):
        if row_result.import_type in RowResult.valid_import_types:
            if self.limit is not None and self.rows_shown >= self.limit:
                kind = row_result.import_type
                self.not_shown[kind] = self.not_shown.get(kind, 0) + 1
                return
            self.rows_shown += 1
        super().append_row_result(row_result)

    @property
    def rows_not_shown(self) -> int:
        return sum(self.not_shown.values())
