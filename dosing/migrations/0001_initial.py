"""dosing's schema, as the 9 migrations of its history built it (squashed on 2026-12-07, issue 28, 12:
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
        ("patients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Regimen",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True)),
                ("name", models.CharField(max_length=200)),
                (
                    "number_of_infusions",
                    models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)]),
                ),
                (
                    "interval_days",
                    models.PositiveSmallIntegerField(
                        help_text="Days between planned infusions (3: days 0, 3, 6).",
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        help_text="Days either side of each planned date within which an infusion is on protocol."
                    ),
                ),
                (
                    "min_gap_hours",
                    models.PositiveSmallIntegerField(
                        help_text="Hard floor: hours from the end of one infusion to the start of the next."
                    ),
                ),
                (
                    "nominal_cells_millions",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=7,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="nominal dose (x 10^6 cells)",
                    ),
                ),
                (
                    "dose_tolerance_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="accepted dose deviation (%)",
                    ),
                ),
                (
                    "min_viability_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="minimum cell viability at release (%)",
                    ),
                ),
                (
                    "max_duration_minutes",
                    models.PositiveSmallIntegerField(
                        help_text="Longest plausible infusion, in minutes.",
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                (
                    "use_within_hours",
                    models.PositiveSmallIntegerField(
                        default=6,
                        help_text="A kit prepared by the pharmacy is used within this many hours of preparation (cells do not keep).",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="use within (hours)",
                    ),
                ),
            ],
            options={
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("number_of_infusions__gte", 1)), name="dosing_regimen_infusions_min"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("interval_days__gte", 1)), name="dosing_regimen_interval_min"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("nominal_cells_millions__gt", 0)), name="dosing_regimen_dose_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("dose_tolerance_percent__gte", 0), ("dose_tolerance_percent__lte", 100)),
                        name="dosing_regimen_tolerance_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("min_viability_percent__gte", 0), ("min_viability_percent__lte", 100)),
                        name="dosing_regimen_viability_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ArmRegimen",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "arm",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="regimen_link", to="patients.arm"
                    ),
                ),
                (
                    "regimen",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="arm_links", to="dosing.regimen"
                    ),
                ),
            ],
            options={
                "default_permissions": ("add", "change", "view"),
            },
        ),
        migrations.CreateModel(
            name="HistoricalArmRegimen",
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
                    "regimen",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="dosing.regimen",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical arm regimen",
                "verbose_name_plural": "historical arm regimens",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Preparation",
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
                    "sequence_number",
                    models.PositiveSmallIntegerField(
                        help_text="The infusion it is for: 1, 2, 3...", verbose_name="infusion"
                    ),
                ),
                (
                    "kit_code",
                    models.CharField(
                        help_text="The code on the kit's label; the ward records it with the infusion.", max_length=40
                    ),
                ),
                (
                    "product_lot",
                    models.CharField(
                        help_text="Cell product or placebo lot.", max_length=40, verbose_name="product lot / batch"
                    ),
                ),
                (
                    "cells_millions",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Active product only; empty for placebo.",
                        max_digits=7,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="cells in the kit (x 10^6)",
                    ),
                ),
                (
                    "viability_percent",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Active product only; empty for placebo.",
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="viability at release (%)",
                    ),
                ),
                (
                    "volume_ml",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="volume (mL)",
                    ),
                ),
                (
                    "label_verified",
                    models.BooleanField(default=False, help_text="Label checked against the participant and kit."),
                ),
                ("appearance_ok", models.BooleanField(default=False, help_text="No clumps, leaks or discolouration.")),
                (
                    "release_tests_passed",
                    models.BooleanField(
                        default=False, help_text="Sterility, endotoxin and mycoplasma results accepted."
                    ),
                ),
                ("prepared_datetime", models.DateTimeField(verbose_name="prepared")),
                ("released_datetime", models.DateTimeField(blank=True, null=True, verbose_name="released")),
                (
                    "use_by_datetime",
                    models.DateTimeField(
                        editable=False,
                        help_text="Prepared time plus the regimen's hours of use; set on save.",
                        verbose_name="use by",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="preparations",
                        to="patients.participant",
                    ),
                ),
                (
                    "prepared_by",
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
                "ordering": ["participant", "sequence_number"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="dosing_preparation_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("kit_code",),
                        name="dosing_preparation_kit_code_unique",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "sequence_number"),
                        name="dosing_preparation_one_per_infusion",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kit_code", ""), _negated=True), name="dosing_preparation_kit_code_required"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("cells_millions__isnull", True), ("cells_millions__gt", 0), _connector="OR"
                        ),
                        name="dosing_preparation_cells_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("viability_percent__isnull", True),
                            models.Q(("viability_percent__gte", 0), ("viability_percent__lte", 100)),
                            _connector="OR",
                        ),
                        name="dosing_preparation_viability_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("released_datetime__isnull", True),
                            models.Q(("appearance_ok", True), ("label_verified", True), ("release_tests_passed", True)),
                            _connector="OR",
                        ),
                        name="dosing_preparation_release_checked",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalInfusion",
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
                    "sequence_number",
                    models.PositiveSmallIntegerField(help_text="1 for the first infusion, 2 for the second..."),
                ),
                ("start_datetime", models.DateTimeField(verbose_name="start")),
                ("end_datetime", models.DateTimeField(verbose_name="end")),
                (
                    "kit_code",
                    models.CharField(
                        blank=True, help_text="Blinded trial: the code on the label of the kit given.", max_length=40
                    ),
                ),
                (
                    "cells_administered_millions",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Total cells infused, in millions: 30 for 3 x 10^7.",
                        max_digits=7,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                Decimal("0.1"), "The number of cells must be more than 0."
                            )
                        ],
                        verbose_name="cells administered (x 10^6)",
                    ),
                ),
                (
                    "volume_ml",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="volume (mL)",
                    ),
                ),
                ("lot_number", models.CharField(blank=True, max_length=40, verbose_name="product lot / batch number")),
                (
                    "viability_percent",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="At release.",
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="cell viability (%)",
                    ),
                ),
                ("route", models.CharField(choices=[("iv", "Intravenous")], default="iv", max_length=4)),
                ("premedication", models.TextField(blank=True)),
                ("interrupted", models.BooleanField(default=False, verbose_name="interrupted or stopped")),
                ("interruption_reason", models.TextField(blank=True)),
                (
                    "ecg",
                    models.CharField(
                        choices=[("normal", "Normal"), ("abnormal", "Abnormal"), ("not_done", "Not done")],
                        max_length=10,
                        verbose_name="ECG during infusion",
                    ),
                ),
                (
                    "spo2_lowest",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(100)], verbose_name="SpO2 lowest (%)"
                    ),
                ),
                (
                    "spo2_highest",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(100)], verbose_name="SpO2 highest (%)"
                    ),
                ),
                (
                    "temperature_before_c",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(45),
                        ],
                        verbose_name="temperature before (C)",
                    ),
                ),
                (
                    "temperature_after_c",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(45),
                        ],
                        verbose_name="temperature after (C)",
                    ),
                ),
                (
                    "heart_rate_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="heart rate before (/min)",
                    ),
                ),
                (
                    "heart_rate_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="heart rate after (/min)",
                    ),
                ),
                (
                    "systolic_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(280),
                        ],
                        verbose_name="systolic BP before (mmHg)",
                    ),
                ),
                (
                    "diastolic_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="diastolic BP before (mmHg)",
                    ),
                ),
                (
                    "systolic_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(280),
                        ],
                        verbose_name="systolic BP after (mmHg)",
                    ),
                ),
                (
                    "diastolic_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="diastolic BP after (mmHg)",
                    ),
                ),
                (
                    "infusion_associated_event",
                    models.TextField(
                        blank=True,
                        help_text="Any event during or after the infusion (e.g. facial flushing within 4 h). Report it as an adverse event too.",
                    ),
                ),
                (
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when the infusion is off protocol (outside its window, dose off nominal, viability below the release minimum); saved as a protocol deviation.",
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
                    "administered_by",
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
                    "preparation",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="dosing.preparation",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical infusion",
                "verbose_name_plural": "historical infusions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPlannedInfusion",
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
                ("sequence_number", models.PositiveSmallIntegerField()),
                ("planned_date", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("given", "Given"),
                            ("missed", "Missed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=10,
                    ),
                ),
                ("status_reason", models.TextField(blank=True, help_text="Why the infusion was missed or cancelled.")),
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
                    "regimen",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="dosing.regimen",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical planned infusion",
                "verbose_name_plural": "historical planned infusions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPreparation",
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
                    "sequence_number",
                    models.PositiveSmallIntegerField(
                        help_text="The infusion it is for: 1, 2, 3...", verbose_name="infusion"
                    ),
                ),
                (
                    "kit_code",
                    models.CharField(
                        help_text="The code on the kit's label; the ward records it with the infusion.", max_length=40
                    ),
                ),
                (
                    "product_lot",
                    models.CharField(
                        help_text="Cell product or placebo lot.", max_length=40, verbose_name="product lot / batch"
                    ),
                ),
                (
                    "cells_millions",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Active product only; empty for placebo.",
                        max_digits=7,
                        null=True,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="cells in the kit (x 10^6)",
                    ),
                ),
                (
                    "viability_percent",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Active product only; empty for placebo.",
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="viability at release (%)",
                    ),
                ),
                (
                    "volume_ml",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="volume (mL)",
                    ),
                ),
                (
                    "label_verified",
                    models.BooleanField(default=False, help_text="Label checked against the participant and kit."),
                ),
                ("appearance_ok", models.BooleanField(default=False, help_text="No clumps, leaks or discolouration.")),
                (
                    "release_tests_passed",
                    models.BooleanField(
                        default=False, help_text="Sterility, endotoxin and mycoplasma results accepted."
                    ),
                ),
                ("prepared_datetime", models.DateTimeField(verbose_name="prepared")),
                ("released_datetime", models.DateTimeField(blank=True, null=True, verbose_name="released")),
                (
                    "use_by_datetime",
                    models.DateTimeField(
                        editable=False,
                        help_text="Prepared time plus the regimen's hours of use; set on save.",
                        verbose_name="use by",
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
                    "prepared_by",
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
            ],
            options={
                "verbose_name": "historical preparation",
                "verbose_name_plural": "historical preparations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Infusion",
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
                    "sequence_number",
                    models.PositiveSmallIntegerField(help_text="1 for the first infusion, 2 for the second..."),
                ),
                ("start_datetime", models.DateTimeField(verbose_name="start")),
                ("end_datetime", models.DateTimeField(verbose_name="end")),
                (
                    "kit_code",
                    models.CharField(
                        blank=True, help_text="Blinded trial: the code on the label of the kit given.", max_length=40
                    ),
                ),
                (
                    "cells_administered_millions",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="Total cells infused, in millions: 30 for 3 x 10^7.",
                        max_digits=7,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(
                                Decimal("0.1"), "The number of cells must be more than 0."
                            )
                        ],
                        verbose_name="cells administered (x 10^6)",
                    ),
                ),
                (
                    "volume_ml",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=5,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="volume (mL)",
                    ),
                ),
                ("lot_number", models.CharField(blank=True, max_length=40, verbose_name="product lot / batch number")),
                (
                    "viability_percent",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="At release.",
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="cell viability (%)",
                    ),
                ),
                ("route", models.CharField(choices=[("iv", "Intravenous")], default="iv", max_length=4)),
                ("premedication", models.TextField(blank=True)),
                ("interrupted", models.BooleanField(default=False, verbose_name="interrupted or stopped")),
                ("interruption_reason", models.TextField(blank=True)),
                (
                    "ecg",
                    models.CharField(
                        choices=[("normal", "Normal"), ("abnormal", "Abnormal"), ("not_done", "Not done")],
                        max_length=10,
                        verbose_name="ECG during infusion",
                    ),
                ),
                (
                    "spo2_lowest",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(100)], verbose_name="SpO2 lowest (%)"
                    ),
                ),
                (
                    "spo2_highest",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(100)], verbose_name="SpO2 highest (%)"
                    ),
                ),
                (
                    "temperature_before_c",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(45),
                        ],
                        verbose_name="temperature before (C)",
                    ),
                ),
                (
                    "temperature_after_c",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(45),
                        ],
                        verbose_name="temperature after (C)",
                    ),
                ),
                (
                    "heart_rate_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="heart rate before (/min)",
                    ),
                ),
                (
                    "heart_rate_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="heart rate after (/min)",
                    ),
                ),
                (
                    "systolic_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(280),
                        ],
                        verbose_name="systolic BP before (mmHg)",
                    ),
                ),
                (
                    "diastolic_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="diastolic BP before (mmHg)",
                    ),
                ),
                (
                    "systolic_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(280),
                        ],
                        verbose_name="systolic BP after (mmHg)",
                    ),
                ),
                (
                    "diastolic_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="diastolic BP after (mmHg)",
                    ),
                ),
                (
                    "infusion_associated_event",
                    models.TextField(
                        blank=True,
                        help_text="Any event during or after the infusion (e.g. facial flushing within 4 h). Report it as an adverse event too.",
                    ),
                ),
                (
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when the infusion is off protocol (outside its window, dose off nominal, viability below the release minimum); saved as a protocol deviation.",
                    ),
                ),
                (
                    "administered_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="infusions", to="patients.participant"
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
                    "preparation",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="given_in",
                        to="dosing.preparation",
                    ),
                ),
            ],
            options={
                "ordering": ["participant", "sequence_number"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="dosing_infusion_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="dosing_infusion_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="dosing_infusion_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "sequence_number"),
                        name="dosing_infusion_unique_sequence",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("sequence_number__gte", 1)), name="dosing_infusion_sequence_min"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("end_datetime__gt", models.F("start_datetime"))),
                        name="dosing_infusion_end_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("cells_administered_millions__isnull", True),
                            ("cells_administered_millions__gt", 0),
                            _connector="OR",
                        ),
                        name="dosing_infusion_cells_positive",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("viability_percent__isnull", True),
                            models.Q(("viability_percent__gte", 0), ("viability_percent__lte", 100)),
                            _connector="OR",
                        ),
                        name="dosing_infusion_viability_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("cells_administered_millions__isnull", False),
                                ("kit_code", ""),
                                ("viability_percent__isnull", False),
                                models.Q(("lot_number", ""), _negated=True),
                            ),
                            models.Q(
                                models.Q(("kit_code", ""), _negated=True),
                                ("cells_administered_millions__isnull", True),
                                ("lot_number", ""),
                                ("viability_percent__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="dosing_infusion_product_or_kit",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("preparation__isnull", False), ("voided", False)),
                        fields=("preparation",),
                        name="dosing_infusion_kit_given_once",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("spo2_highest__lte", 100),
                            ("spo2_lowest__lte", 100),
                            ("spo2_lowest__lte", models.F("spo2_highest")),
                        ),
                        name="dosing_infusion_spo2_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("route__in", ["iv"])), name="dosing_infusion_route_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("ecg__in", ["normal", "abnormal", "not_done"])),
                        name="dosing_infusion_ecg_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("interrupted", False),
                            models.Q(("interruption_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="dosing_infusion_interruption_reason",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PlannedInfusion",
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
                ("sequence_number", models.PositiveSmallIntegerField()),
                ("planned_date", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("given", "Given"),
                            ("missed", "Missed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="planned",
                        max_length=10,
                    ),
                ),
                ("status_reason", models.TextField(blank=True, help_text="Why the infusion was missed or cancelled.")),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="planned_infusions",
                        to="patients.participant",
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
                    "regimen",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dosing.regimen"
                    ),
                ),
            ],
            options={
                "ordering": ["participant", "sequence_number"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="dosing_plannedinfusion_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "sequence_number"),
                        name="dosing_plannedinfusion_unique_sequence",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["planned", "given", "missed", "cancelled"])),
                        name="dosing_plannedinfusion_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status__in", ["missed", "cancelled"]), _negated=True),
                            models.Q(("status_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="dosing_plannedinfusion_reason_when_not_given",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalProtocolDeviation",
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
                    "category",
                    models.CharField(
                        choices=[
                            ("infusion_window", "Infusion outside the planned window"),
                            ("dose", "Dose outside the accepted range"),
                            ("viability", "Cell viability below the release minimum"),
                            ("missed_infusion", "Planned infusion missed"),
                            ("missed_visit", "Scheduled visit missed"),
                            ("visit_window", "Visit outside its window"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("description", models.TextField(help_text="What deviated from the protocol.")),
                ("reason", models.TextField(help_text="Why.")),
                ("reported_datetime", models.DateTimeField(default=django.utils.timezone.now)),
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
                    "reported_by",
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
                    "infusion",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="dosing.infusion",
                    ),
                ),
                (
                    "planned_infusion",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="dosing.plannedinfusion",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical protocol deviation",
                "verbose_name_plural": "historical protocol deviations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRegimen",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("code", models.SlugField(max_length=40)),
                ("name", models.CharField(max_length=200)),
                (
                    "number_of_infusions",
                    models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)]),
                ),
                (
                    "interval_days",
                    models.PositiveSmallIntegerField(
                        help_text="Days between planned infusions (3: days 0, 3, 6).",
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                (
                    "window_days",
                    models.PositiveSmallIntegerField(
                        help_text="Days either side of each planned date within which an infusion is on protocol."
                    ),
                ),
                (
                    "min_gap_hours",
                    models.PositiveSmallIntegerField(
                        help_text="Hard floor: hours from the end of one infusion to the start of the next."
                    ),
                ),
                (
                    "nominal_cells_millions",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=7,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.1"))],
                        verbose_name="nominal dose (x 10^6 cells)",
                    ),
                ),
                (
                    "dose_tolerance_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="accepted dose deviation (%)",
                    ),
                ),
                (
                    "min_viability_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="minimum cell viability at release (%)",
                    ),
                ),
                (
                    "max_duration_minutes",
                    models.PositiveSmallIntegerField(
                        help_text="Longest plausible infusion, in minutes.",
                        validators=[django.core.validators.MinValueValidator(1)],
                    ),
                ),
                (
                    "use_within_hours",
                    models.PositiveSmallIntegerField(
                        default=6,
                        help_text="A kit prepared by the pharmacy is used within this many hours of preparation (cells do not keep).",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="use within (hours)",
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
                "verbose_name": "historical regimen",
                "verbose_name_plural": "historical regimens",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ProtocolDeviation",
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
                    "category",
                    models.CharField(
                        choices=[
                            ("infusion_window", "Infusion outside the planned window"),
                            ("dose", "Dose outside the accepted range"),
                            ("viability", "Cell viability below the release minimum"),
                            ("missed_infusion", "Planned infusion missed"),
                            ("missed_visit", "Scheduled visit missed"),
                            ("visit_window", "Visit outside its window"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("description", models.TextField(help_text="What deviated from the protocol.")),
                ("reason", models.TextField(help_text="Why.")),
                ("reported_datetime", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "infusion",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deviations",
                        to="dosing.infusion",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="protocol_deviations",
                        to="patients.participant",
                    ),
                ),
                (
                    "planned_infusion",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deviations",
                        to="dosing.plannedinfusion",
                    ),
                ),
                (
                    "reported_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
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
                    "visit",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="deviations",
                        to="patients.visit",
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
                "ordering": ["participant", "reported_datetime"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="dosing_protocoldeviation_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="dosing_protocoldeviation_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="dosing_protocoldeviation_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "category__in",
                                [
                                    "infusion_window",
                                    "dose",
                                    "viability",
                                    "missed_infusion",
                                    "missed_visit",
                                    "visit_window",
                                    "other",
                                ],
                            )
                        ),
                        name="dosing_protocoldeviation_category_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="dosing_protocoldeviation_reason_required",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("infusion__isnull", False), ("voided", False)),
                        fields=("infusion", "category"),
                        name="dosing_protocoldeviation_one_per_infusion_category",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("visit__isnull", False), ("voided", False)),
                        fields=("participant", "visit", "category"),
                        name="dosing_protocoldeviation_one_per_visit_category",
                    ),
                ],
            },
        ),
    ]
