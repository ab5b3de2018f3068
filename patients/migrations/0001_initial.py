"""patients's schema, as the 24 migrations of its history built it (squashed on 2026-12-07, issue 28, 12:
one CreateModel per table, its constraints and indexes in its options, so a fresh migrate renders the
models a few times instead of once per added field or constraint)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Site",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        help_text="Short code that prefixes the site's study IDs, e.g. 01 gives 01-001.",
                        max_length=4,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9A-Z]{2,4}$", "Two to four digits or capital letters, e.g. 01."
                            )
                        ],
                    ),
                ),
                ("name", models.CharField(max_length=200, unique=True)),
                ("last_sequence_number", models.PositiveIntegerField(default=0, editable=False)),
            ],
            options={
                "ordering": ["code"],
                "permissions": [("view_all_sites", "Can see participants of every site")],
                "default_permissions": ("add", "change", "view"),
            },
        ),
        migrations.CreateModel(
            name="Arm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=20, unique=True)),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "treatment",
                    models.CharField(
                        choices=[
                            ("active", "Active product (UC-MSC)"),
                            ("placebo", "Placebo"),
                            ("none", "Nothing (conventional treatment only)"),
                        ],
                        help_text="Placebo participants receive infusions like the active arm; the ward cannot tell them apart.",
                        max_length=8,
                    ),
                ),
                (
                    "ratio_weight",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="This arm's share of the allocation ratio: 2 and 1 for a 2:1 trial.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                        verbose_name="allocation ratio weight",
                    ),
                ),
                ("description", models.TextField(blank=True)),
            ],
            options={
                "ordering": ["code"],
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("treatment__in", ["active", "placebo", "none"])),
                        name="patients_arm_treatment_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("ratio_weight__gte", 1)), name="patients_arm_ratio_positive"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Participant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("sequence_number", models.PositiveIntegerField(editable=False)),
                (
                    "study_id",
                    models.CharField(
                        editable=False,
                        help_text="Site code and sequence number.",
                        max_length=16,
                        unique=True,
                        verbose_name="study ID",
                    ),
                ),
                (
                    "initials",
                    models.CharField(
                        help_text="Initials only: the database holds no names.",
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2,4}$", "Two to four capital letters, e.g. ZWL."
                            )
                        ],
                    ),
                ),
                ("sex", models.CharField(choices=[("F", "Female"), ("M", "Male")], max_length=1)),
                ("date_of_birth", models.DateField()),
                (
                    "weight_kg",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("25")),
                            django.core.validators.MaxValueValidator(Decimal("300")),
                        ],
                        verbose_name="weight (kg)",
                    ),
                ),
                (
                    "height_cm",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("100")),
                            django.core.validators.MaxValueValidator(Decimal("230")),
                        ],
                        verbose_name="height (cm)",
                    ),
                ),
                ("admission_date", models.DateField(verbose_name="hospital admission date")),
                (
                    "symptom_onset_date",
                    models.DateField(help_text="First COVID-19 symptom.", verbose_name="symptom onset date"),
                ),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("mild", "Mild"),
                            ("moderate", "Moderate"),
                            ("severe", "Severe"),
                            ("critical", "Critical"),
                        ],
                        help_text="COVID-19 severity at enrolment per the national guideline. Mild: mild symptoms, no pneumonia on imaging. Moderate: fever and respiratory symptoms with pneumonia on imaging. Severe: any of respiratory rate >= 30/min, SpO2 <= 93 % at rest, or PaO2/FiO2 <= 300 mmHg. Critical: respiratory failure needing mechanical ventilation, shock, or organ failure needing ICU care.",
                        max_length=10,
                        verbose_name="COVID-19 severity at enrolment",
                    ),
                ),
                (
                    "hypertension",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "diabetes",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "cardiovascular_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "chronic_lung_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "chronic_kidney_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "chronic_liver_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "other_comorbidities",
                    models.CharField(
                        blank=True,
                        help_text="Other relevant conditions, comma separated. No identifiers.",
                        max_length=200,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("screening", "Screening"),
                            ("screen_failure", "Screen failure"),
                            ("enrolled", "Enrolled"),
                            ("completed", "Completed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="screening",
                        editable=False,
                        max_length=16,
                    ),
                ),
                ("screening_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                ("screen_failure_reason", models.TextField(blank=True, editable=False)),
                ("enrolment_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "day0_date",
                    models.DateField(
                        blank=True,
                        editable=False,
                        help_text="The date of enrolment in the trial's time zone; study days count from it.",
                        null=True,
                        verbose_name="study day 0",
                    ),
                ),
                (
                    "archive_id",
                    models.CharField(
                        blank=True,
                        help_text="The paper archive's number of this participant's file, for a migrated trial.",
                        max_length=40,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z0-9][A-Za-z0-9./_-]*$", "Letters, digits, and . / _ - only."
                            )
                        ],
                        verbose_name="archive ID",
                    ),
                ),
                ("casebook_locked", models.BooleanField(default=False, editable=False)),
                ("casebook_locked_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "arm",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="participants",
                        to="patients.arm",
                    ),
                ),
                (
                    "casebook_locked_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "enrolled_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "screened_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="participants", to="patients.site"
                    ),
                ),
            ],
            options={
                "ordering": ["study_id"],
                "permissions": [
                    ("export_data", "Can export de-identified data"),
                    ("lock_casebook", "Can lock and unlock a participant's casebook and its records"),
                    ("verify_data", "Can verify case report form records against source (SDV)"),
                    ("view_report", "Can see the trial summary report (by arm)"),
                    ("view_unblinded", "Can see results by arm in a blinded trial (unblinded statistician, DMC)"),
                    ("sign_casebook", "Can sign a participant's casebook as investigator"),
                ],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "enrolled")), fields=["site"], name="participant_in_follow_up"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_participant_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.UniqueConstraint(
                        fields=("site", "sequence_number"), name="patients_participant_site_sequence"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("archive_id", ""), _negated=True),
                        fields=("site", "archive_id"),
                        name="patients_participant_archive_id_once",
                        violation_error_code="archive_id_migrated",
                        violation_error_message="This archive ID is already a participant of this site: its file was migrated.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("sex__in", ["F", "M"])), name="patients_participant_sex_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("severity__in", ["mild", "moderate", "severe", "critical"])),
                        name="patients_participant_severity_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["screening", "screen_failure", "enrolled", "completed", "withdrawn"])
                        ),
                        name="patients_participant_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weight_kg__gte", 25), ("weight_kg__lte", 300)),
                        name="patients_participant_weight_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("height_cm__gte", 100), ("height_cm__lte", 230)),
                        name="patients_participant_height_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("admission_date__gte", models.F("date_of_birth"))),
                        name="patients_participant_admission_after_birth",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("arm__isnull", False),
                                ("day0_date__isnull", False),
                                ("enrolment_datetime__isnull", False),
                                ("status__in", ("enrolled", "completed", "withdrawn")),
                            ),
                            models.Q(
                                models.Q(("status__in", ("enrolled", "completed", "withdrawn")), _negated=True),
                                ("arm__isnull", True),
                                ("day0_date__isnull", True),
                                ("enrolment_datetime__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="patients_participant_enrolment_complete",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("day0_date__isnull", True), ("day0_date__gte", models.F("admission_date")), _connector="OR"
                        ),
                        name="patients_participant_admission_before_enrolment",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("casebook_locked", False), ("casebook_locked_datetime__isnull", False), _connector="OR"
                        ),
                        name="patients_participant_lock_has_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DataQuery",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("object_id", models.PositiveBigIntegerField(blank=True, null=True)),
                (
                    "field_name",
                    models.CharField(blank=True, help_text="The field the question is about, if one.", max_length=60),
                ),
                ("text", models.TextField(verbose_name="question")),
                ("raised_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8),
                ),
                (
                    "site_status",
                    models.CharField(
                        choices=[("awaiting", "Awaiting site answer"), ("answered", "Answered by site")],
                        default="awaiting",
                        max_length=10,
                    ),
                ),
                ("answer", models.TextField(blank=True)),
                ("answered_datetime", models.DateTimeField(blank=True, null=True)),
                ("closed_datetime", models.DateTimeField(blank=True, null=True)),
                ("check_code", models.CharField(blank=True, max_length=60)),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for a query raised by the automatic data checks.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="data_queries",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "data query",
                "verbose_name_plural": "data queries",
                "ordering": ["raised_datetime"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_dataquery_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["open", "closed"])), name="patients_dataquery_status_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("site_status__in", ["awaiting", "answered"])),
                        name="patients_dataquery_site_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("site_status", "awaiting"), models.Q(("answer", ""), _negated=True), _connector="OR"
                        ),
                        name="patients_dataquery_answered_has_answer",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status", "open"), ("closed_datetime__isnull", False), _connector="OR"),
                        name="patients_dataquery_closed_has_time",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            ("status", "open"), ("voided", False), models.Q(("check_code", ""), _negated=True)
                        ),
                        fields=("check_code", "content_type", "object_id"),
                        name="patients_dataquery_one_open_per_check",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalArm",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("code", models.SlugField(max_length=20)),
                ("name", models.CharField(db_index=True, max_length=100)),
                (
                    "treatment",
                    models.CharField(
                        choices=[
                            ("active", "Active product (UC-MSC)"),
                            ("placebo", "Placebo"),
                            ("none", "Nothing (conventional treatment only)"),
                        ],
                        help_text="Placebo participants receive infusions like the active arm; the ward cannot tell them apart.",
                        max_length=8,
                    ),
                ),
                (
                    "ratio_weight",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="This arm's share of the allocation ratio: 2 and 1 for a 2:1 trial.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(20),
                        ],
                        verbose_name="allocation ratio weight",
                    ),
                ),
                ("description", models.TextField(blank=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical arm",
                "verbose_name_plural": "historical arms",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRandomisationList",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("generated", "Generated in the app"),
                            ("imported", "Imported from the statistician's file"),
                        ],
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("seed", models.BigIntegerField(blank=True, editable=False, null=True)),
                ("block_multiples", models.JSONField(blank=True, default=list, editable=False)),
                ("slots_per_stratum", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ("algorithm", models.CharField(blank=True, editable=False, max_length=100)),
                ("software_version", models.CharField(editable=False, max_length=100)),
                ("design_snapshot", models.JSONField(editable=False)),
                ("file_name", models.CharField(blank=True, editable=False, max_length=200)),
                (
                    "file_sha256",
                    models.CharField(blank=True, editable=False, max_length=64, verbose_name="file SHA-256"),
                ),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("signed_off_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "signed_off_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical randomisation list",
                "verbose_name_plural": "historical randomisation lists",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSite",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        db_index=True,
                        help_text="Short code that prefixes the site's study IDs, e.g. 01 gives 01-001.",
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9A-Z]{2,4}$", "Two to four digits or capital letters, e.g. 01."
                            )
                        ],
                    ),
                ),
                ("name", models.CharField(db_index=True, max_length=200)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical site",
                "verbose_name_plural": "historical sites",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalTrialDesign",
            fields=[
                ("id", models.PositiveSmallIntegerField(db_index=True, default=1, editable=False)),
                ("code", models.SlugField(help_text="Short name of the trial, e.g. ucmsc-phase2.", max_length=40)),
                ("title", models.CharField(max_length=200)),
                (
                    "blinded",
                    models.BooleanField(
                        default=False,
                        help_text="Double-blind: only users with the unblinded role see a participant's arm, anywhere.",
                    ),
                ),
                (
                    "allocation",
                    models.CharField(
                        choices=[
                            ("investigator", "By the investigator (non-randomised)"),
                            ("list", "By the randomisation list"),
                        ],
                        default="investigator",
                        max_length=12,
                    ),
                ),
                (
                    "stratify_by_site",
                    models.BooleanField(
                        default=True, help_text="Randomisation list: a separate stratum (list) per site."
                    ),
                ),
                (
                    "stratification_factors",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Randomisation list: the enrolment factors each site's list is further split by.",
                    ),
                ),
                (
                    "follow_up_after_discharge",
                    models.BooleanField(
                        default=False,
                        help_text="Discharge is then recorded on the end-of-study form as the end of the hospital stay, and follow-up goes on until the participant completes it, dies, is lost to follow-up or withdraws.",
                        verbose_name="follow-up continues after discharge",
                    ),
                ),
                (
                    "baseline_window_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="An endpoint's baseline is its measurement nearest before study day 0 within this many days.",
                        validators=[django.core.validators.MaxValueValidator(60)],
                        verbose_name="baseline window (days before day 0)",
                    ),
                ),
                (
                    "unblinding_by_investigator_alone",
                    models.BooleanField(
                        default=False,
                        help_text="Otherwise a designated approver (permission 'approve unblinding') decides each request.",
                        verbose_name="investigator may unblind alone in an emergency",
                    ),
                ),
                (
                    "unblinding_notify",
                    models.TextField(
                        blank=True,
                        help_text="Who is told of each request and decision (one address per line); the e-mail names no arm.",
                        verbose_name="unblinding e-mails to",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical trial design",
                "verbose_name_plural": "historical trial designs",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalVisit",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("code", models.SlugField(help_text="e.g. d28, m6.", max_length=20)),
                ("label", models.CharField(max_length=100)),
                (
                    "anchor",
                    models.CharField(
                        choices=[("day0", "Study day 0"), ("discharge", "Discharge")], default="day0", max_length=10
                    ),
                ),
                (
                    "target_day",
                    models.PositiveSmallIntegerField(
                        help_text="Days after the anchor: 28 for day 28.",
                        validators=[django.core.validators.MaxValueValidator(3660)],
                        verbose_name="target day",
                    ),
                ),
                ("window_before", models.PositiveSmallIntegerField(default=0, verbose_name="window before (days)")),
                ("window_after", models.PositiveSmallIntegerField(default=0, verbose_name="window after (days)")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical visit",
                "verbose_name_plural": "historical visits",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalWithdrawal",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("verified", "Verified (SDV)"),
                            ("locked", "Locked"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("review_changed_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("verified_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("withdrawal_date", models.DateField()),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("consent_withdrawn", "Participant withdrew consent"),
                            ("investigator_decision", "Investigator decision (safety)"),
                            ("lost_to_follow_up", "Lost to follow-up"),
                            ("transferred", "Transferred to another hospital"),
                            ("other", "Other (give details)"),
                        ],
                        max_length=24,
                    ),
                ),
                ("details", models.TextField(blank=True, help_text="Required for 'other'. No identifying details.")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "review_changed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical withdrawal",
                "verbose_name_plural": "historical withdrawals",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalUnblindingRequest",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "reason",
                    models.TextField(help_text="The clinical emergency: why treatment depends on knowing the arm."),
                ),
                ("requested_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(
                        choices=[("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
                        default="requested",
                        max_length=10,
                    ),
                ),
                ("decided_datetime", models.DateTimeField(blank=True, null=True)),
                ("decision_note", models.TextField(blank=True)),
                ("self_approved", models.BooleanField(default=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical unblinding request",
                "verbose_name_plural": "historical unblinding requests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalEndOfStudy",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("verified", "Verified (SDV)"),
                            ("locked", "Locked"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("review_changed_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("verified_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "end_reason",
                    models.CharField(
                        choices=[
                            ("discharged", "Discharged from hospital"),
                            ("died", "Died"),
                            ("transferred", "Transferred to another hospital"),
                            ("completed", "Completed follow-up"),
                            ("lost", "Lost to follow-up"),
                        ],
                        max_length=16,
                    ),
                ),
                ("end_date", models.DateField(help_text="Date of discharge, death or transfer.")),
                (
                    "icu_admission_date",
                    models.DateField(
                        blank=True, help_text="If admitted to ICU.", null=True, verbose_name="ICU admission"
                    ),
                ),
                ("icu_discharge_date", models.DateField(blank=True, null=True, verbose_name="ICU discharge")),
                ("details", models.TextField(blank=True, help_text="No identifying details.")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "review_changed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical end of study",
                "verbose_name_plural": "historical ends of study",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalEligibilityAnswer",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "criterion",
                    models.CharField(
                        choices=[
                            ("inc_age", "Aged 18 to 75 years"),
                            ("inc_rt_pcr", "SARS-CoV-2 infection confirmed by RT-PCR"),
                            ("inc_ct_pneumonia", "Pneumonia confirmed on chest CT"),
                            ("inc_moderate_severe", "Moderate or severe COVID-19"),
                            ("inc_consent", "Written informed consent given"),
                            ("exc_pregnancy", "Pregnant or lactating"),
                            ("exc_malignancy", "Malignancy"),
                            ("exc_organ_failure", "Severe liver or kidney failure"),
                            ("exc_allergy", "Known allergy to components of the UC-MSC product"),
                            ("exc_other_trial", "Participating in another interventional trial"),
                        ],
                        max_length=32,
                    ),
                ),
                ("answer", models.CharField(choices=[("yes", "Yes"), ("no", "No")], max_length=3)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical eligibility answer",
                "verbose_name_plural": "historical eligibility answers",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDataQuery",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("object_id", models.PositiveBigIntegerField(blank=True, null=True)),
                (
                    "field_name",
                    models.CharField(blank=True, help_text="The field the question is about, if one.", max_length=60),
                ),
                ("text", models.TextField(verbose_name="question")),
                ("raised_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(choices=[("open", "Open"), ("closed", "Closed")], default="open", max_length=8),
                ),
                (
                    "site_status",
                    models.CharField(
                        choices=[("awaiting", "Awaiting site answer"), ("answered", "Answered by site")],
                        default="awaiting",
                        max_length=10,
                    ),
                ),
                ("answer", models.TextField(blank=True)),
                ("answered_datetime", models.DateTimeField(blank=True, null=True)),
                ("closed_datetime", models.DateTimeField(blank=True, null=True)),
                ("check_code", models.CharField(blank=True, max_length=60)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answered_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "raised_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Empty for a query raised by the automatic data checks.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical data query",
                "verbose_name_plural": "historical data queries",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalConsent",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("verified", "Verified (SDV)"),
                            ("locked", "Locked"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("review_changed_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("verified_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("consent_datetime", models.DateTimeField(verbose_name="date and time of consent")),
                (
                    "form_version",
                    models.CharField(
                        help_text="As printed on the form.", max_length=20, verbose_name="consent form version"
                    ),
                ),
                (
                    "given_by",
                    models.CharField(
                        choices=[("participant", "Participant"), ("legal_representative", "Legal representative")],
                        max_length=24,
                    ),
                ),
                (
                    "representative_relationship",
                    models.CharField(
                        blank=True,
                        help_text="When a legal representative consents: their relationship, no name.",
                        max_length=60,
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "obtained_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The investigator who obtained consent.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "review_changed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical consent",
                "verbose_name_plural": "historical consents",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalCasebookSignature",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("signed_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "meaning",
                    models.CharField(
                        choices=[("complete_accurate", "I confirm the data are complete and accurate")], max_length=20
                    ),
                ),
                ("invalidated_datetime", models.DateTimeField(blank=True, null=True)),
                ("invalidated_reason", models.CharField(blank=True, max_length=300)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "signed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical casebook signature",
                "verbose_name_plural": "historical casebook signatures",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Consent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("verified", "Verified (SDV)"),
                            ("locked", "Locked"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("review_changed_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("verified_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("consent_datetime", models.DateTimeField(verbose_name="date and time of consent")),
                (
                    "form_version",
                    models.CharField(
                        help_text="As printed on the form.", max_length=20, verbose_name="consent form version"
                    ),
                ),
                (
                    "given_by",
                    models.CharField(
                        choices=[("participant", "Participant"), ("legal_representative", "Legal representative")],
                        max_length=24,
                    ),
                ),
                (
                    "representative_relationship",
                    models.CharField(
                        blank=True,
                        help_text="When a legal representative consents: their relationship, no name.",
                        max_length=60,
                    ),
                ),
                (
                    "obtained_by",
                    models.ForeignKey(
                        help_text="The investigator who obtained consent.",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "review_changed_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="consents", to="patients.participant"
                    ),
                ),
            ],
            options={
                "ordering": ["participant", "consent_datetime"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_consent_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="patients_consent_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_consent_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("given_by__in", ["participant", "legal_representative"])),
                        name="patients_consent_given_by_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("given_by", "participant"),
                            models.Q(("representative_relationship", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="patients_consent_representative_relationship",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CasebookSignature",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("signed_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "meaning",
                    models.CharField(
                        choices=[("complete_accurate", "I confirm the data are complete and accurate")], max_length=20
                    ),
                ),
                ("invalidated_datetime", models.DateTimeField(blank=True, null=True)),
                ("invalidated_reason", models.CharField(blank=True, max_length=300)),
                (
                    "signed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="signatures",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "ordering": ["participant", "signed_datetime"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_casebooksignature_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("meaning__in", ["complete_accurate"])),
                        name="patients_casebooksignature_meaning_valid",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("invalidated_datetime__isnull", True), ("voided", False)),
                        fields=("participant",),
                        name="patients_casebooksignature_one_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RandomisationList",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("generated", "Generated in the app"),
                            ("imported", "Imported from the statistician's file"),
                        ],
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("seed", models.BigIntegerField(blank=True, editable=False, null=True)),
                ("block_multiples", models.JSONField(blank=True, default=list, editable=False)),
                ("slots_per_stratum", models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ("algorithm", models.CharField(blank=True, editable=False, max_length=100)),
                ("software_version", models.CharField(editable=False, max_length=100)),
                ("design_snapshot", models.JSONField(editable=False)),
                ("file_name", models.CharField(blank=True, editable=False, max_length=200)),
                (
                    "file_sha256",
                    models.CharField(blank=True, editable=False, max_length=64, verbose_name="file SHA-256"),
                ),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("signed_off_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "signed_off_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "randomisation list",
                "permissions": [("sign_off_randomisationlist", "Can sign off the randomisation list's report")],
                "default_permissions": ("add", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("source__in", ["generated", "imported"])),
                        name="patients_randlist_source_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("signed_off_by__isnull", True), ("signed_off_datetime__isnull", True)),
                            models.Q(("signed_off_by__isnull", False), ("signed_off_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_randlist_sign_off_complete",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OutgoingEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "topic",
                    models.CharField(help_text="What the message is about, e.g. emergency unblinding.", max_length=40),
                ),
                ("subject", models.CharField(max_length=255)),
                ("body", models.TextField()),
                ("recipients", models.TextField(help_text="One address per line.")),
                ("from_email", models.CharField(max_length=254)),
                ("created_datetime", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Being sent"),
                            ("sent", "Sent"),
                            ("failed", "Not sent (gave up)"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_attempt_datetime", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("sent_datetime", models.DateTimeField(blank=True, null=True)),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.site",
                    ),
                ),
            ],
            options={
                "verbose_name": "outgoing e-mail",
                "ordering": ["-created_datetime"],
                "permissions": [("resend_outgoingemail", "Can send a failed e-mail again")],
                "default_permissions": ("view",),
                "indexes": [models.Index(fields=["status", "next_attempt_datetime"], name="patients_outbox_due")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["pending", "sending", "sent", "failed"])),
                        name="patients_outbox_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "sent"), _negated=True),
                            ("sent_datetime__isnull", False),
                            _connector="OR",
                        ),
                        name="patients_outbox_sent_has_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalStratum",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("key", models.CharField(help_text="e.g. site=01|severity=severe", max_length=200)),
                ("label", models.CharField(max_length=200)),
                ("levels", models.JSONField(blank=True, default=dict)),
                ("size", models.PositiveIntegerField()),
                ("used", models.PositiveIntegerField(default=0)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "randomisation_list",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.randomisationlist",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.site",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical stratum",
                "verbose_name_plural": "historical strata",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSiteMembership",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.site",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical site membership",
                "verbose_name_plural": "historical site memberships",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalParticipant",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(blank=True, editable=False)),
                ("modified_datetime", models.DateTimeField(blank=True, editable=False)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                ("sequence_number", models.PositiveIntegerField(editable=False)),
                (
                    "study_id",
                    models.CharField(
                        db_index=True,
                        editable=False,
                        help_text="Site code and sequence number.",
                        max_length=16,
                        verbose_name="study ID",
                    ),
                ),
                (
                    "initials",
                    models.CharField(
                        help_text="Initials only: the database holds no names.",
                        max_length=4,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Z]{2,4}$", "Two to four capital letters, e.g. ZWL."
                            )
                        ],
                    ),
                ),
                ("sex", models.CharField(choices=[("F", "Female"), ("M", "Male")], max_length=1)),
                ("date_of_birth", models.DateField()),
                (
                    "weight_kg",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("25")),
                            django.core.validators.MaxValueValidator(Decimal("300")),
                        ],
                        verbose_name="weight (kg)",
                    ),
                ),
                (
                    "height_cm",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("100")),
                            django.core.validators.MaxValueValidator(Decimal("230")),
                        ],
                        verbose_name="height (cm)",
                    ),
                ),
                ("admission_date", models.DateField(verbose_name="hospital admission date")),
                (
                    "symptom_onset_date",
                    models.DateField(help_text="First COVID-19 symptom.", verbose_name="symptom onset date"),
                ),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("mild", "Mild"),
                            ("moderate", "Moderate"),
                            ("severe", "Severe"),
                            ("critical", "Critical"),
                        ],
                        help_text="COVID-19 severity at enrolment per the national guideline. Mild: mild symptoms, no pneumonia on imaging. Moderate: fever and respiratory symptoms with pneumonia on imaging. Severe: any of respiratory rate >= 30/min, SpO2 <= 93 % at rest, or PaO2/FiO2 <= 300 mmHg. Critical: respiratory failure needing mechanical ventilation, shock, or organ failure needing ICU care.",
                        max_length=10,
                        verbose_name="COVID-19 severity at enrolment",
                    ),
                ),
                (
                    "hypertension",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "diabetes",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "cardiovascular_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "chronic_lung_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "chronic_kidney_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "chronic_liver_disease",
                    models.CharField(choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")], max_length=7),
                ),
                (
                    "other_comorbidities",
                    models.CharField(
                        blank=True,
                        help_text="Other relevant conditions, comma separated. No identifiers.",
                        max_length=200,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("screening", "Screening"),
                            ("screen_failure", "Screen failure"),
                            ("enrolled", "Enrolled"),
                            ("completed", "Completed"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="screening",
                        editable=False,
                        max_length=16,
                    ),
                ),
                ("screening_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                ("screen_failure_reason", models.TextField(blank=True, editable=False)),
                ("enrolment_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "day0_date",
                    models.DateField(
                        blank=True,
                        editable=False,
                        help_text="The date of enrolment in the trial's time zone; study days count from it.",
                        null=True,
                        verbose_name="study day 0",
                    ),
                ),
                (
                    "archive_id",
                    models.CharField(
                        blank=True,
                        help_text="The paper archive's number of this participant's file, for a migrated trial.",
                        max_length=40,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[A-Za-z0-9][A-Za-z0-9./_-]*$", "Letters, digits, and . / _ - only."
                            )
                        ],
                        verbose_name="archive ID",
                    ),
                ),
                ("casebook_locked", models.BooleanField(default=False, editable=False)),
                ("casebook_locked_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "answers_query",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The data query this change answers.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.dataquery",
                    ),
                ),
                (
                    "arm",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.arm",
                    ),
                ),
                (
                    "casebook_locked_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "enrolled_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "screened_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.site",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical participant",
                "verbose_name_plural": "historical participants",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalOutgoingEmail",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "topic",
                    models.CharField(help_text="What the message is about, e.g. emergency unblinding.", max_length=40),
                ),
                ("subject", models.CharField(max_length=255)),
                ("body", models.TextField()),
                ("recipients", models.TextField(help_text="One address per line.")),
                ("from_email", models.CharField(max_length=254)),
                ("created_datetime", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sending", "Being sent"),
                            ("sent", "Sent"),
                            ("failed", "Not sent (gave up)"),
                        ],
                        default="pending",
                        max_length=10,
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_attempt_datetime", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("sent_datetime", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.site",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical outgoing e-mail",
                "verbose_name_plural": "historical outgoing e-mails",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="SiteMembership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "site",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="memberships", to="patients.site"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="site_memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("user", "site"), name="patients_sitemembership_unique")
                ],
            },
        ),
        migrations.CreateModel(
            name="Stratum",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(help_text="e.g. site=01|severity=severe", max_length=200)),
                ("label", models.CharField(max_length=200)),
                ("levels", models.JSONField(blank=True, default=dict)),
                ("size", models.PositiveIntegerField()),
                ("used", models.PositiveIntegerField(default=0)),
                (
                    "randomisation_list",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="strata",
                        to="patients.randomisationlist",
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.site",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "strata",
                "ordering": ["key"],
                "default_permissions": ("view",),
                "constraints": [
                    models.UniqueConstraint(fields=("randomisation_list", "key"), name="patients_stratum_key_unique"),
                    models.CheckConstraint(
                        condition=models.Q(("used__lte", models.F("size"))), name="patients_stratum_used_within_size"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RandomisationSlot",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveIntegerField(help_text="Position within the stratum, from 1.")),
                ("number", models.CharField(max_length=20, unique=True, verbose_name="randomisation number")),
                ("block", models.PositiveIntegerField()),
                ("block_size", models.PositiveSmallIntegerField()),
                (
                    "treatment_code",
                    models.CharField(
                        blank=True,
                        help_text="The kit's code for an arm that receives infusions; says nothing of the arm.",
                        max_length=20,
                    ),
                ),
                ("allocated_datetime", models.DateTimeField(blank=True, null=True)),
                (
                    "allocated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "arm",
                    models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="patients.arm"),
                ),
                (
                    "participant",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="randomisation_slot",
                        to="patients.participant",
                    ),
                ),
                (
                    "stratum",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="slots", to="patients.stratum"
                    ),
                ),
            ],
            options={
                "verbose_name": "randomisation slot",
                "ordering": ["stratum", "sequence"],
                "default_permissions": ("view",),
                "constraints": [
                    models.UniqueConstraint(fields=("stratum", "sequence"), name="patients_slot_sequence_unique"),
                    models.UniqueConstraint(
                        condition=models.Q(("treatment_code", ""), _negated=True),
                        fields=("treatment_code",),
                        name="patients_slot_treatment_code_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("allocated_datetime__isnull", True), ("participant__isnull", True)),
                            models.Q(("allocated_datetime__isnull", False), ("participant__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_slot_allocation_complete",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalRandomisationSlot",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("sequence", models.PositiveIntegerField(help_text="Position within the stratum, from 1.")),
                ("number", models.CharField(db_index=True, max_length=20, verbose_name="randomisation number")),
                ("block", models.PositiveIntegerField()),
                ("block_size", models.PositiveSmallIntegerField()),
                (
                    "treatment_code",
                    models.CharField(
                        blank=True,
                        help_text="The kit's code for an arm that receives infusions; says nothing of the arm.",
                        max_length=20,
                    ),
                ),
                ("allocated_datetime", models.DateTimeField(blank=True, null=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "allocated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "arm",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.arm",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.participant",
                    ),
                ),
                (
                    "stratum",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.stratum",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical randomisation slot",
                "verbose_name_plural": "historical randomisation slots",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="TrialDesign",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ("code", models.SlugField(help_text="Short name of the trial, e.g. ucmsc-phase2.", max_length=40)),
                ("title", models.CharField(max_length=200)),
                (
                    "blinded",
                    models.BooleanField(
                        default=False,
                        help_text="Double-blind: only users with the unblinded role see a participant's arm, anywhere.",
                    ),
                ),
                (
                    "allocation",
                    models.CharField(
                        choices=[
                            ("investigator", "By the investigator (non-randomised)"),
                            ("list", "By the randomisation list"),
                        ],
                        default="investigator",
                        max_length=12,
                    ),
                ),
                (
                    "stratify_by_site",
                    models.BooleanField(
                        default=True, help_text="Randomisation list: a separate stratum (list) per site."
                    ),
                ),
                (
                    "stratification_factors",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text="Randomisation list: the enrolment factors each site's list is further split by.",
                    ),
                ),
                (
                    "follow_up_after_discharge",
                    models.BooleanField(
                        default=False,
                        help_text="Discharge is then recorded on the end-of-study form as the end of the hospital stay, and follow-up goes on until the participant completes it, dies, is lost to follow-up or withdraws.",
                        verbose_name="follow-up continues after discharge",
                    ),
                ),
                (
                    "baseline_window_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="An endpoint's baseline is its measurement nearest before study day 0 within this many days.",
                        validators=[django.core.validators.MaxValueValidator(60)],
                        verbose_name="baseline window (days before day 0)",
                    ),
                ),
                (
                    "unblinding_by_investigator_alone",
                    models.BooleanField(
                        default=False,
                        help_text="Otherwise a designated approver (permission 'approve unblinding') decides each request.",
                        verbose_name="investigator may unblind alone in an emergency",
                    ),
                ),
                (
                    "unblinding_notify",
                    models.TextField(
                        blank=True,
                        help_text="Who is told of each request and decision (one address per line); the e-mail names no arm.",
                        verbose_name="unblinding e-mails to",
                    ),
                ),
            ],
            options={
                "verbose_name": "trial design",
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("id", 1)), name="patients_trialdesign_single_row"),
                    models.CheckConstraint(
                        condition=models.Q(("allocation__in", ["investigator", "list"])),
                        name="patients_trialdesign_allocation_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="UnblindingRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "reason",
                    models.TextField(help_text="The clinical emergency: why treatment depends on knowing the arm."),
                ),
                ("requested_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(
                        choices=[("requested", "Requested"), ("approved", "Approved"), ("refused", "Refused")],
                        default="requested",
                        max_length=10,
                    ),
                ),
                ("decided_datetime", models.DateTimeField(blank=True, null=True)),
                ("decision_note", models.TextField(blank=True)),
                ("self_approved", models.BooleanField(default=False)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="unblinding_requests",
                        to="patients.participant",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["participant", "-requested_datetime"],
                "permissions": [
                    ("request_unblinding", "Can request emergency unblinding of a participant (investigator)"),
                    ("approve_unblinding", "Can approve emergency unblinding (designated approver)"),
                ],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_unblindingrequest_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["requested", "approved", "refused"])),
                        name="patients_unblinding_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True), name="patients_unblinding_reason_required"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("decided_by__isnull", True),
                                ("decided_datetime__isnull", True),
                                ("status", "requested"),
                            ),
                            models.Q(
                                models.Q(("status", "requested"), _negated=True),
                                ("decided_by__isnull", False),
                                ("decided_datetime__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="patients_unblinding_decision_complete",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "requested"), ("voided", False)),
                        fields=("participant",),
                        name="patients_unblinding_one_open_request",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Visit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(help_text="e.g. d28, m6.", max_length=20, unique=True)),
                ("label", models.CharField(max_length=100)),
                (
                    "anchor",
                    models.CharField(
                        choices=[("day0", "Study day 0"), ("discharge", "Discharge")], default="day0", max_length=10
                    ),
                ),
                (
                    "target_day",
                    models.PositiveSmallIntegerField(
                        help_text="Days after the anchor: 28 for day 28.",
                        validators=[django.core.validators.MaxValueValidator(3660)],
                        verbose_name="target day",
                    ),
                ),
                ("window_before", models.PositiveSmallIntegerField(default=0, verbose_name="window before (days)")),
                ("window_after", models.PositiveSmallIntegerField(default=0, verbose_name="window after (days)")),
            ],
            options={
                "ordering": ["anchor", "target_day", "code"],
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("anchor__in", ["day0", "discharge"])), name="patients_visit_anchor_valid"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalVisitForm",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "crf_key",
                    models.CharField(
                        help_text="The form's key in the registry, e.g. ct, observations.",
                        max_length=40,
                        verbose_name="case report form",
                    ),
                ),
                ("required", models.BooleanField(default=True)),
                (
                    "expected_if",
                    models.CharField(
                        choices=[
                            ("always", "Always"),
                            ("discharged", "Only if discharged alive"),
                            ("infused", "Only for arms that receive infusions"),
                        ],
                        default="always",
                        max_length=12,
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "visit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.visit",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical visit form",
                "verbose_name_plural": "historical visit forms",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="VisitForm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "crf_key",
                    models.CharField(
                        help_text="The form's key in the registry, e.g. ct, observations.",
                        max_length=40,
                        verbose_name="case report form",
                    ),
                ),
                ("required", models.BooleanField(default=True)),
                (
                    "expected_if",
                    models.CharField(
                        choices=[
                            ("always", "Always"),
                            ("discharged", "Only if discharged alive"),
                            ("infused", "Only for arms that receive infusions"),
                        ],
                        default="always",
                        max_length=12,
                    ),
                ),
                (
                    "visit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="expected_forms", to="patients.visit"
                    ),
                ),
            ],
            options={
                "ordering": ["visit", "crf_key"],
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.UniqueConstraint(fields=("visit", "crf_key"), name="patients_visitform_once_per_visit"),
                    models.CheckConstraint(
                        condition=models.Q(("expected_if__in", ["always", "discharged", "infused"])),
                        name="patients_visitform_expected_if_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Withdrawal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("verified", "Verified (SDV)"),
                            ("locked", "Locked"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("review_changed_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("verified_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("withdrawal_date", models.DateField()),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("consent_withdrawn", "Participant withdrew consent"),
                            ("investigator_decision", "Investigator decision (safety)"),
                            ("lost_to_follow_up", "Lost to follow-up"),
                            ("transferred", "Transferred to another hospital"),
                            ("other", "Other (give details)"),
                        ],
                        max_length=24,
                    ),
                ),
                ("details", models.TextField(blank=True, help_text="Required for 'other'. No identifying details.")),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="withdrawals",
                        to="patients.participant",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "review_changed_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_withdrawal_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="patients_withdrawal_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_withdrawal_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant",),
                        name="patients_withdrawal_one_per_participant",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "reason__in",
                                [
                                    "consent_withdrawn",
                                    "investigator_decision",
                                    "lost_to_follow_up",
                                    "transferred",
                                    "other",
                                ],
                            )
                        ),
                        name="patients_withdrawal_reason_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AccessEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("when", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("login", "Logged in"),
                            ("login_failed", "Failed login"),
                            ("locked_out", "Locked out after repeated failures"),
                            ("logout", "Logged out"),
                            ("password_changed", "Password changed"),
                            ("role_added", "Role given"),
                            ("role_removed", "Role taken away"),
                            ("site_added", "Site membership given"),
                            ("site_removed", "Site membership taken away"),
                            ("account_changed", "Account changed (active, staff, superuser)"),
                            ("account_created", "Account created"),
                            ("account_deleted", "Account deleted"),
                            ("perm_added", "Permission given to the user directly"),
                            ("perm_removed", "Permission taken from the user directly"),
                            ("role_perm_added", "Permission given to a role"),
                            ("role_perm_removed", "Permission taken from a role"),
                            ("role_created", "Role created"),
                            ("role_renamed", "Role renamed"),
                            ("role_deleted", "Role deleted"),
                            ("unblind_requested", "Emergency unblinding requested"),
                            ("unblind_decided", "Emergency unblinding approved or refused"),
                            ("unblinded_view", "Allocation seen after emergency unblinding"),
                        ],
                        max_length=20,
                    ),
                ),
                ("username", models.CharField(blank=True, max_length=150)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("user_agent", models.CharField(blank=True, max_length=255)),
                ("detail", models.CharField(blank=True, max_length=255)),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="access_events",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-when"],
                "default_permissions": ("view",),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "login",
                                    "login_failed",
                                    "locked_out",
                                    "logout",
                                    "password_changed",
                                    "role_added",
                                    "role_removed",
                                    "site_added",
                                    "site_removed",
                                    "account_changed",
                                    "account_created",
                                    "account_deleted",
                                    "perm_added",
                                    "perm_removed",
                                    "role_perm_added",
                                    "role_perm_removed",
                                    "role_created",
                                    "role_renamed",
                                    "role_deleted",
                                    "unblind_requested",
                                    "unblind_decided",
                                    "unblinded_view",
                                ],
                            )
                        ),
                        name="patients_accessevent_kind_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="EndOfStudy",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "review_status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("verified", "Verified (SDV)"),
                            ("locked", "Locked"),
                        ],
                        default="draft",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("review_changed_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("verified_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "end_reason",
                    models.CharField(
                        choices=[
                            ("discharged", "Discharged from hospital"),
                            ("died", "Died"),
                            ("transferred", "Transferred to another hospital"),
                            ("completed", "Completed follow-up"),
                            ("lost", "Lost to follow-up"),
                        ],
                        max_length=16,
                    ),
                ),
                ("end_date", models.DateField(help_text="Date of discharge, death or transfer.")),
                (
                    "icu_admission_date",
                    models.DateField(
                        blank=True, help_text="If admitted to ICU.", null=True, verbose_name="ICU admission"
                    ),
                ),
                ("icu_discharge_date", models.DateField(blank=True, null=True, verbose_name="ICU discharge")),
                ("details", models.TextField(blank=True, help_text="No identifying details.")),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "review_changed_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "verified_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ends_of_study",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "verbose_name": "end of study",
                "verbose_name_plural": "ends of study",
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_endofstudy_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="patients_endofstudy_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_endofstudy_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("end_reason", "discharged"), ("voided", False)),
                        fields=("participant",),
                        name="patients_endofstudy_one_discharge",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False), models.Q(("end_reason", "discharged"), _negated=True)),
                        fields=("participant",),
                        name="patients_endofstudy_one_end",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("end_reason__in", ["discharged", "died", "transferred", "completed", "lost"])
                        ),
                        name="patients_endofstudy_reason_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("icu_discharge_date__isnull", True),
                            models.Q(
                                ("icu_admission_date__isnull", False),
                                ("icu_discharge_date__gte", models.F("icu_admission_date")),
                            ),
                            _connector="OR",
                        ),
                        name="patients_endofstudy_icu_order",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="EligibilityAnswer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_datetime", models.DateTimeField(auto_now_add=True)),
                ("modified_datetime", models.DateTimeField(auto_now=True)),
                (
                    "voided",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Entered in error; kept for the audit trail, left out of analysis.",
                    ),
                ),
                ("void_reason", models.TextField(blank=True, editable=False)),
                ("voided_datetime", models.DateTimeField(blank=True, editable=False, null=True)),
                ("version", models.PositiveIntegerField(default=1, editable=False)),
                (
                    "criterion",
                    models.CharField(
                        choices=[
                            ("inc_age", "Aged 18 to 75 years"),
                            ("inc_rt_pcr", "SARS-CoV-2 infection confirmed by RT-PCR"),
                            ("inc_ct_pneumonia", "Pneumonia confirmed on chest CT"),
                            ("inc_moderate_severe", "Moderate or severe COVID-19"),
                            ("inc_consent", "Written informed consent given"),
                            ("exc_pregnancy", "Pregnant or lactating"),
                            ("exc_malignancy", "Malignancy"),
                            ("exc_organ_failure", "Severe liver or kidney failure"),
                            ("exc_allergy", "Known allergy to components of the UC-MSC product"),
                            ("exc_other_trial", "Participating in another interventional trial"),
                        ],
                        max_length=32,
                    ),
                ),
                ("answer", models.CharField(choices=[("yes", "Yes"), ("no", "No")], max_length=3)),
                (
                    "voided_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="eligibility_answers",
                        to="patients.participant",
                    ),
                ),
            ],
            options={
                "ordering": ["participant", "id"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="patients_eligibilityanswer_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.UniqueConstraint(
                        fields=("participant", "criterion"), name="patients_eligibilityanswer_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("answer__in", ["yes", "no"])), name="patients_eligibilityanswer_valid"
                    ),
                ],
            },
        ),
    ]
