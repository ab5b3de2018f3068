"""outcomes's schema, as the 10 migrations of its history built it (squashed on 2026-12-07, issue 28, 12:
one CreateModel per table, its constraints and indexes in its options, so a fresh migrate renders the
models a few times instead of once per added field or constraint)."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dosing", "0001_initial"),
        ("patients", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Analyte",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=30, unique=True)),
                ("name", models.CharField(max_length=100, unique=True)),
                (
                    "group",
                    models.CharField(
                        choices=[
                            ("blood_count", "Blood count"),
                            ("chemistry", "Inflammation and chemistry"),
                            ("cytokine", "Cytokines"),
                            ("serology", "SARS-CoV-2 antibodies"),
                        ],
                        max_length=12,
                    ),
                ),
                ("unit", models.CharField(help_text="Canonical unit: results are stored in it.", max_length=20)),
                (
                    "plausible_min",
                    models.DecimalField(decimal_places=3, help_text="Values below are refused.", max_digits=10),
                ),
                (
                    "plausible_max",
                    models.DecimalField(decimal_places=3, help_text="Values above are refused.", max_digits=10),
                ),
                ("reference_low", models.DecimalField(blank=True, decimal_places=3, max_digits=10, null=True)),
                ("reference_high", models.DecimalField(blank=True, decimal_places=3, max_digits=10, null=True)),
                ("display_order", models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                "ordering": ["display_order", "code"],
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("plausible_min__lt", models.F("plausible_max"))),
                        name="outcomes_analyte_plausible_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("group__in", ["blood_count", "chemistry", "cytokine", "serology"])),
                        name="outcomes_analyte_group_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ChestCt",
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
                ("scan_date", models.DateField()),
                (
                    "ground_glass_opacity",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                (
                    "consolidation",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                (
                    "crazy_paving",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                (
                    "pleural_effusion",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                ("other_findings", models.CharField(blank=True, max_length=200)),
                (
                    "extent_score",
                    models.PositiveSmallIntegerField(
                        help_text="Sum over the five lobes of 0-5 each (0 none, 1 <5 %, 2 5-25 %, 3 26-49 %, 4 50-75 %, 5 >75 %).",
                        validators=[django.core.validators.MaxValueValidator(25)],
                        verbose_name="CT extent score (0-25)",
                    ),
                ),
                (
                    "comparison",
                    models.CharField(
                        choices=[
                            ("first", "First scan (nothing to compare)"),
                            ("improved", "Improved"),
                            ("unchanged", "Unchanged"),
                            ("worse", "Worse"),
                        ],
                        max_length=10,
                        verbose_name="comparison with the previous scan",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="chest_cts", to="patients.participant"
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
                "verbose_name": "chest CT",
                "verbose_name_plural": "chest CTs",
                "ordering": ["participant", "scan_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_chestct_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_chestct_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_chestct_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "scan_date"),
                        name="outcomes_chestct_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("extent_score__lte", 25)), name="outcomes_chestct_extent_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("comparison__in", ["first", "improved", "unchanged", "worse"])),
                        name="outcomes_chestct_comparison_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DailyObservation",
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
                    "observation_date",
                    models.DateField(help_text="The calendar day observed (the study day is derived)."),
                ),
                (
                    "temperature_c",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(45),
                        ],
                        verbose_name="temperature (°C)",
                    ),
                ),
                (
                    "heart_rate",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="heart rate (/min)",
                    ),
                ),
                (
                    "respiratory_rate",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(70),
                        ],
                        verbose_name="respiratory rate (/min)",
                    ),
                ),
                (
                    "systolic_bp",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(280),
                        ],
                        verbose_name="systolic BP (mmHg)",
                    ),
                ),
                (
                    "diastolic_bp",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="diastolic BP (mmHg)",
                    ),
                ),
                (
                    "spo2_percent",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="SpO2 (%)",
                    ),
                ),
                (
                    "fio2_percent",
                    models.PositiveSmallIntegerField(
                        default=21,
                        help_text="21 % on room air.",
                        validators=[
                            django.core.validators.MinValueValidator(21),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="FiO2 (%)",
                    ),
                ),
                (
                    "oxygen_support",
                    models.CharField(
                        choices=[
                            ("room_air", "Room air"),
                            ("low_flow", "Low-flow oxygen (nasal cannula / mask)"),
                            ("high_flow", "High-flow nasal cannula"),
                            ("niv", "Non-invasive ventilation"),
                            ("imv", "Invasive mechanical ventilation"),
                            ("ecmo", "ECMO"),
                        ],
                        help_text="The highest level of support that day.",
                        max_length=10,
                    ),
                ),
                (
                    "oxygen_flow_l_min",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="For low-flow and high-flow oxygen only.",
                        max_digits=4,
                        null=True,
                        verbose_name="oxygen flow (L/min)",
                    ),
                ),
                (
                    "pao2_fio2_mmhg",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="When a blood gas was taken.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(700),
                        ],
                        verbose_name="PaO2/FiO2 (mmHg)",
                    ),
                ),
                (
                    "who_score",
                    models.PositiveSmallIntegerField(
                        help_text="4 hospitalised without oxygen; 5 mask or nasal prongs; 6 NIV or high flow; 7-9 intubated (9: ECMO or organ support); 10 dead.",
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(10),
                        ],
                        verbose_name="WHO clinical progression scale (0-10)",
                    ),
                ),
                (
                    "fever",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "cough",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "fatigue",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "shortness_of_breath",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "chest_tightness",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "myalgia",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "diarrhoea",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "other_symptoms",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                ("other_symptoms_details", models.CharField(blank=True, max_length=200)),
                (
                    "carried_from",
                    models.DateField(blank=True, editable=False, null=True, verbose_name="values carried forward from"),
                ),
                ("carried_fields", models.CharField(blank=True, editable=False, max_length=300)),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="daily_observations",
                        to="patients.participant",
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
                "ordering": ["participant", "observation_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_dailyobservation_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_dailyobservation_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_dailyobservation_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "observation_date"),
                        name="outcomes_dailyobservation_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("diastolic_bp__lt", models.F("systolic_bp"))),
                        name="outcomes_dailyobservation_bp_order",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("temperature_c__gte", 30), ("temperature_c__lte", 45)),
                        name="outcomes_dailyobservation_temperature",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("spo2_percent__gte", 50), ("spo2_percent__lte", 100)),
                        name="outcomes_dailyobservation_spo2",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fio2_percent__gte", 21), ("fio2_percent__lte", 100)),
                        name="outcomes_dailyobservation_fio2",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("who_score__lte", 10)), name="outcomes_dailyobservation_who_score"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("oxygen_support__in", ["room_air", "low_flow", "high_flow", "niv", "imv", "ecmo"])
                        ),
                        name="outcomes_dailyobservation_support_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fever__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_fever_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("cough__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_cough_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fatigue__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_fatigue_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("shortness_of_breath__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_shortness_of_breath_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("chest_tightness__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_chest_tightness_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("myalgia__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_myalgia_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("diarrhoea__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_diarrhoea_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("other_symptoms__in", ["present", "absent", "not_assessed"])),
                        name="outcomes_dailyobservation_other_symptoms_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DyspnoeaGrade",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("assessment_date", models.DateField()),
                (
                    "grade",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "0 Breathless only with strenuous exercise"),
                            (1, "1 Short of breath hurrying on the level or walking up a slight hill"),
                            (
                                2,
                                "2 Walks slower than people of the same age because of breathlessness, or stops for breath",
                            ),
                            (3, "3 Stops for breath after about 100 m or a few minutes on the level"),
                            (4, "4 Too breathless to leave the house, or breathless when dressing"),
                        ],
                        verbose_name="mMRC grade",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dyspnoea_grades",
                        to="patients.participant",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
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
                "verbose_name": "mMRC dyspnoea grade",
                "ordering": ["participant", "assessment_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_dyspnoeagrade_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_dyspnoeagrade_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_dyspnoeagrade_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "assessment_date"),
                        name="outcomes_dyspnoeagrade_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("grade__lte", 4)), name="outcomes_dyspnoeagrade_grade_range"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FollowUpVisit",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("visit_date", models.DateField(verbose_name="date of the visit or call")),
                (
                    "vital_status",
                    models.CharField(
                        choices=[
                            ("alive", "Alive (seen or spoken to)"),
                            ("not_reached", "Not reached (vital status unknown)"),
                        ],
                        default="alive",
                        max_length=12,
                    ),
                ),
                (
                    "readmitted",
                    models.CharField(
                        choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")],
                        max_length=7,
                        verbose_name="readmitted to hospital since the last visit",
                    ),
                ),
                ("readmission_details", models.CharField(blank=True, max_length=200)),
                (
                    "new_symptoms",
                    models.CharField(
                        choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")],
                        max_length=7,
                        verbose_name="new symptoms since the last visit",
                    ),
                ),
                ("new_symptoms_details", models.CharField(blank=True, max_length=200)),
                (
                    "home_oxygen",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "None"),
                            ("exertion", "On exertion only"),
                            ("night", "At night only"),
                            ("continuous", "Continuous (long-term)"),
                        ],
                        max_length=10,
                        verbose_name="oxygen use now",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_up_visits",
                        to="patients.participant",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
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
                "verbose_name": "follow-up visit",
                "ordering": ["participant", "visit_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_followupvisit_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_followupvisit_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_followupvisit_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "visit_date"),
                        name="outcomes_followupvisit_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("vital_status__in", ["alive", "not_reached"])),
                        name="outcomes_followupvisit_vital_status_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalAdverseEvent",
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
                ("term", models.CharField(max_length=200, verbose_name="adverse event (verbatim)")),
                (
                    "meddra_preferred_term",
                    models.CharField(blank=True, max_length=100, verbose_name="MedDRA preferred term"),
                ),
                ("meddra_code", models.CharField(blank=True, max_length=10, verbose_name="MedDRA code")),
                ("onset_datetime", models.DateTimeField(verbose_name="onset")),
                ("resolution_datetime", models.DateTimeField(blank=True, null=True, verbose_name="resolution")),
                (
                    "grade",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "1 Mild"),
                            (2, "2 Moderate"),
                            (3, "3 Severe"),
                            (4, "4 Life-threatening"),
                            (5, "5 Death"),
                        ],
                        verbose_name="CTCAE grade",
                    ),
                ),
                ("serious", models.BooleanField(default=False)),
                ("serious_death", models.BooleanField(default=False, verbose_name="results in death")),
                ("serious_life_threatening", models.BooleanField(default=False, verbose_name="life-threatening")),
                (
                    "serious_hospitalisation",
                    models.BooleanField(default=False, verbose_name="requires or prolongs hospitalisation"),
                ),
                (
                    "serious_disability",
                    models.BooleanField(default=False, verbose_name="persistent or significant disability"),
                ),
                ("serious_congenital_anomaly", models.BooleanField(default=False, verbose_name="congenital anomaly")),
                (
                    "serious_important_medical_event",
                    models.BooleanField(default=False, verbose_name="important medical event"),
                ),
                (
                    "relation",
                    models.CharField(
                        choices=[
                            ("not_related", "Not related"),
                            ("unlikely", "Unlikely"),
                            ("possible", "Possible"),
                            ("probable", "Probable"),
                            ("definite", "Definite"),
                        ],
                        max_length=12,
                        verbose_name="relation to the study product",
                    ),
                ),
                (
                    "attributed_to_progression",
                    models.BooleanField(default=False, verbose_name="attributed to COVID-19 progression"),
                ),
                (
                    "expectedness",
                    models.CharField(choices=[("expected", "Expected"), ("unexpected", "Unexpected")], max_length=10),
                ),
                (
                    "action_taken",
                    models.CharField(
                        choices=[
                            ("none", "None"),
                            ("interrupted", "Infusion interrupted"),
                            ("discontinued", "Product permanently discontinued"),
                            ("not_applicable", "Not applicable (no product given)"),
                        ],
                        max_length=16,
                        verbose_name="action taken with the product",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("recovered", "Recovered"),
                            ("recovering", "Recovering"),
                            ("not_recovered", "Not recovered"),
                            ("sequelae", "Recovered with sequelae"),
                            ("fatal", "Fatal"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=14,
                    ),
                ),
                ("site_aware_datetime", models.DateTimeField(blank=True, null=True, verbose_name="site became aware")),
                (
                    "reported_datetime",
                    models.DateTimeField(blank=True, null=True, verbose_name="reported to the sponsor"),
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
                    "infusion",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The infusion this event is associated with, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="dosing.infusion",
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
            ],
            options={
                "verbose_name": "historical adverse event",
                "verbose_name_plural": "historical adverse events",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAnalyte",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("code", models.SlugField(max_length=30)),
                ("name", models.CharField(db_index=True, max_length=100)),
                (
                    "group",
                    models.CharField(
                        choices=[
                            ("blood_count", "Blood count"),
                            ("chemistry", "Inflammation and chemistry"),
                            ("cytokine", "Cytokines"),
                            ("serology", "SARS-CoV-2 antibodies"),
                        ],
                        max_length=12,
                    ),
                ),
                ("unit", models.CharField(help_text="Canonical unit: results are stored in it.", max_length=20)),
                (
                    "plausible_min",
                    models.DecimalField(decimal_places=3, help_text="Values below are refused.", max_digits=10),
                ),
                (
                    "plausible_max",
                    models.DecimalField(decimal_places=3, help_text="Values above are refused.", max_digits=10),
                ),
                ("reference_low", models.DecimalField(blank=True, decimal_places=3, max_digits=10, null=True)),
                ("reference_high", models.DecimalField(blank=True, decimal_places=3, max_digits=10, null=True)),
                ("display_order", models.PositiveSmallIntegerField(default=0)),
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
                "verbose_name": "historical analyte",
                "verbose_name_plural": "historical analytes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalChestCt",
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
                ("scan_date", models.DateField()),
                (
                    "ground_glass_opacity",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                (
                    "consolidation",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                (
                    "crazy_paving",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                (
                    "pleural_effusion",
                    models.CharField(choices=[("present", "Present"), ("absent", "Absent")], max_length=7),
                ),
                ("other_findings", models.CharField(blank=True, max_length=200)),
                (
                    "extent_score",
                    models.PositiveSmallIntegerField(
                        help_text="Sum over the five lobes of 0-5 each (0 none, 1 <5 %, 2 5-25 %, 3 26-49 %, 4 50-75 %, 5 >75 %).",
                        validators=[django.core.validators.MaxValueValidator(25)],
                        verbose_name="CT extent score (0-25)",
                    ),
                ),
                (
                    "comparison",
                    models.CharField(
                        choices=[
                            ("first", "First scan (nothing to compare)"),
                            ("improved", "Improved"),
                            ("unchanged", "Unchanged"),
                            ("worse", "Worse"),
                        ],
                        max_length=10,
                        verbose_name="comparison with the previous scan",
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
            ],
            options={
                "verbose_name": "historical chest CT",
                "verbose_name_plural": "historical chest CTs",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDailyObservation",
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
                    "observation_date",
                    models.DateField(help_text="The calendar day observed (the study day is derived)."),
                ),
                (
                    "temperature_c",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(45),
                        ],
                        verbose_name="temperature (°C)",
                    ),
                ),
                (
                    "heart_rate",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="heart rate (/min)",
                    ),
                ),
                (
                    "respiratory_rate",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(70),
                        ],
                        verbose_name="respiratory rate (/min)",
                    ),
                ),
                (
                    "systolic_bp",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(280),
                        ],
                        verbose_name="systolic BP (mmHg)",
                    ),
                ),
                (
                    "diastolic_bp",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(180),
                        ],
                        verbose_name="diastolic BP (mmHg)",
                    ),
                ),
                (
                    "spo2_percent",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="SpO2 (%)",
                    ),
                ),
                (
                    "fio2_percent",
                    models.PositiveSmallIntegerField(
                        default=21,
                        help_text="21 % on room air.",
                        validators=[
                            django.core.validators.MinValueValidator(21),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="FiO2 (%)",
                    ),
                ),
                (
                    "oxygen_support",
                    models.CharField(
                        choices=[
                            ("room_air", "Room air"),
                            ("low_flow", "Low-flow oxygen (nasal cannula / mask)"),
                            ("high_flow", "High-flow nasal cannula"),
                            ("niv", "Non-invasive ventilation"),
                            ("imv", "Invasive mechanical ventilation"),
                            ("ecmo", "ECMO"),
                        ],
                        help_text="The highest level of support that day.",
                        max_length=10,
                    ),
                ),
                (
                    "oxygen_flow_l_min",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        help_text="For low-flow and high-flow oxygen only.",
                        max_digits=4,
                        null=True,
                        verbose_name="oxygen flow (L/min)",
                    ),
                ),
                (
                    "pao2_fio2_mmhg",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="When a blood gas was taken.",
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(20),
                            django.core.validators.MaxValueValidator(700),
                        ],
                        verbose_name="PaO2/FiO2 (mmHg)",
                    ),
                ),
                (
                    "who_score",
                    models.PositiveSmallIntegerField(
                        help_text="4 hospitalised without oxygen; 5 mask or nasal prongs; 6 NIV or high flow; 7-9 intubated (9: ECMO or organ support); 10 dead.",
                        validators=[
                            django.core.validators.MinValueValidator(0),
                            django.core.validators.MaxValueValidator(10),
                        ],
                        verbose_name="WHO clinical progression scale (0-10)",
                    ),
                ),
                (
                    "fever",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "cough",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "fatigue",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "shortness_of_breath",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "chest_tightness",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "myalgia",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "diarrhoea",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                (
                    "other_symptoms",
                    models.CharField(
                        choices=[("present", "Present"), ("absent", "Absent"), ("not_assessed", "Not assessed")],
                        max_length=12,
                    ),
                ),
                ("other_symptoms_details", models.CharField(blank=True, max_length=200)),
                (
                    "carried_from",
                    models.DateField(blank=True, editable=False, null=True, verbose_name="values carried forward from"),
                ),
                ("carried_fields", models.CharField(blank=True, editable=False, max_length=300)),
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
            ],
            options={
                "verbose_name": "historical daily observation",
                "verbose_name_plural": "historical daily observations",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalDyspnoeaGrade",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("assessment_date", models.DateField()),
                (
                    "grade",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "0 Breathless only with strenuous exercise"),
                            (1, "1 Short of breath hurrying on the level or walking up a slight hill"),
                            (
                                2,
                                "2 Walks slower than people of the same age because of breathlessness, or stops for breath",
                            ),
                            (3, "3 Stops for breath after about 100 m or a few minutes on the level"),
                            (4, "4 Too breathless to leave the house, or breathless when dressing"),
                        ],
                        verbose_name="mMRC grade",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
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
            ],
            options={
                "verbose_name": "historical mMRC dyspnoea grade",
                "verbose_name_plural": "historical mMRC dyspnoea grades",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalFollowUpVisit",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("visit_date", models.DateField(verbose_name="date of the visit or call")),
                (
                    "vital_status",
                    models.CharField(
                        choices=[
                            ("alive", "Alive (seen or spoken to)"),
                            ("not_reached", "Not reached (vital status unknown)"),
                        ],
                        default="alive",
                        max_length=12,
                    ),
                ),
                (
                    "readmitted",
                    models.CharField(
                        choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")],
                        max_length=7,
                        verbose_name="readmitted to hospital since the last visit",
                    ),
                ),
                ("readmission_details", models.CharField(blank=True, max_length=200)),
                (
                    "new_symptoms",
                    models.CharField(
                        choices=[("yes", "Yes"), ("no", "No"), ("unknown", "Unknown")],
                        max_length=7,
                        verbose_name="new symptoms since the last visit",
                    ),
                ),
                ("new_symptoms_details", models.CharField(blank=True, max_length=200)),
                (
                    "home_oxygen",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "None"),
                            ("exertion", "On exertion only"),
                            ("night", "At night only"),
                            ("continuous", "Continuous (long-term)"),
                        ],
                        max_length=10,
                        verbose_name="oxygen use now",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
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
            ],
            options={
                "verbose_name": "historical follow-up visit",
                "verbose_name_plural": "historical follow-up visits",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLabResult",
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
                ("sample_datetime", models.DateTimeField(verbose_name="sample date and time")),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=3,
                        help_text="In the analyte's canonical unit; at a detection limit, the limit.",
                        max_digits=10,
                    ),
                ),
                ("unit", models.CharField(blank=True, help_text="Always the analyte's canonical unit.", max_length=20)),
                (
                    "detection_limit",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Within the measurable range"),
                            ("below", "Below the limit of detection"),
                            ("above", "Above the upper limit"),
                        ],
                        default="",
                        max_length=5,
                    ),
                ),
                ("comment", models.CharField(blank=True, max_length=200, verbose_name="lab comment")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.TextField(null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "analyte",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="outcomes.analyte",
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
            ],
            options={
                "verbose_name": "historical lab result",
                "verbose_name_plural": "historical lab results",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLungFunction",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("test_date", models.DateField()),
                (
                    "fvc_l",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.2")),
                            django.core.validators.MaxValueValidator(Decimal("9")),
                        ],
                        verbose_name="FVC (L)",
                    ),
                ),
                (
                    "fvc_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="FVC (% predicted)",
                    ),
                ),
                (
                    "fev1_l",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.1")),
                            django.core.validators.MaxValueValidator(Decimal("8")),
                        ],
                        verbose_name="FEV1 (L)",
                    ),
                ),
                (
                    "fev1_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="FEV1 (% predicted)",
                    ),
                ),
                (
                    "fev1_fvc_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="FEV1/FVC (% predicted)",
                    ),
                ),
                (
                    "vc_max_l",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.2")),
                            django.core.validators.MaxValueValidator(Decimal("9")),
                        ],
                        verbose_name="VC max (L)",
                    ),
                ),
                (
                    "vc_max_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="VC max (% predicted)",
                    ),
                ),
                (
                    "dlco_mmol_min_kpa",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("20")),
                        ],
                        verbose_name="DLCO (mmol/min/kPa)",
                    ),
                ),
                (
                    "dlco_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="DLCO (% predicted)",
                    ),
                ),
                (
                    "reference_equation",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("gli2012", "GLI-2012 (spirometry)"),
                            ("gli2017", "GLI-2017 (transfer factor)"),
                            ("ecsc1993", "ECSC 1993"),
                            ("zheng2006", "Chinese reference values (Zheng 2006)"),
                            ("other", "Other (name it)"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "reference_equation_other",
                    models.CharField(blank=True, max_length=100, verbose_name="other reference equation"),
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
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
            ],
            options={
                "verbose_name": "historical lung function test",
                "verbose_name_plural": "historical lung function tests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalQuantitativeCt",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("scan_date", models.DateField()),
                (
                    "lesion_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="whole-lung lesion (% of lung volume)",
                    ),
                ),
                (
                    "solid_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="solid component (% of lung volume)",
                    ),
                ),
                (
                    "ground_glass_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="ground-glass component (% of lung volume)",
                    ),
                ),
                (
                    "software",
                    models.CharField(help_text="Name and version.", max_length=100, verbose_name="reading software"),
                ),
                (
                    "reader",
                    models.CharField(help_text="The reader's initials or study code (no names).", max_length=100),
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
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
            ],
            options={
                "verbose_name": "historical quantitative chest CT",
                "verbose_name_plural": "historical quantitative chest CTs",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSixMinuteWalk",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("test_date", models.DateField()),
                (
                    "distance_m",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(1000)], verbose_name="distance walked (m)"
                    ),
                ),
                (
                    "spo2_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="SpO2 before (%)",
                    ),
                ),
                (
                    "spo2_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="SpO2 after (%)",
                    ),
                ),
                (
                    "heart_rate_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(220),
                        ],
                        verbose_name="heart rate before (/min)",
                    ),
                ),
                (
                    "heart_rate_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(220),
                        ],
                        verbose_name="heart rate after (/min)",
                    ),
                ),
                (
                    "borg_dyspnoea",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("10")),
                        ],
                        verbose_name="Borg dyspnoea after (0-10)",
                    ),
                ),
                ("stopped_early", models.BooleanField(default=False, verbose_name="stopped before six minutes")),
                ("stop_reason", models.CharField(blank=True, max_length=200, verbose_name="why it stopped")),
                ("oxygen_used", models.BooleanField(default=False, verbose_name="oxygen during the walk")),
                (
                    "oxygen_flow_l_min",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=3,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("15")),
                        ],
                        verbose_name="oxygen flow (L/min)",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
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
            ],
            options={
                "verbose_name": "historical six-minute walk test",
                "verbose_name_plural": "historical six-minute walk tests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="LabResult",
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
                ("sample_datetime", models.DateTimeField(verbose_name="sample date and time")),
                (
                    "value",
                    models.DecimalField(
                        decimal_places=3,
                        help_text="In the analyte's canonical unit; at a detection limit, the limit.",
                        max_digits=10,
                    ),
                ),
                ("unit", models.CharField(blank=True, help_text="Always the analyte's canonical unit.", max_length=20)),
                (
                    "detection_limit",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Within the measurable range"),
                            ("below", "Below the limit of detection"),
                            ("above", "Above the upper limit"),
                        ],
                        default="",
                        max_length=5,
                    ),
                ),
                ("comment", models.CharField(blank=True, max_length=200, verbose_name="lab comment")),
                (
                    "analyte",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="results", to="outcomes.analyte"
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lab_results",
                        to="patients.participant",
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
                "ordering": ["participant", "sample_datetime", "analyte__display_order"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_labresult_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_labresult_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_labresult_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "analyte", "sample_datetime"),
                        name="outcomes_labresult_once_per_sample",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("detection_limit__in", ["", "below", "above"])),
                        name="outcomes_labresult_detection_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("unit", ""), _negated=True), name="outcomes_labresult_unit_required"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="LungFunction",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("test_date", models.DateField()),
                (
                    "fvc_l",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.2")),
                            django.core.validators.MaxValueValidator(Decimal("9")),
                        ],
                        verbose_name="FVC (L)",
                    ),
                ),
                (
                    "fvc_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="FVC (% predicted)",
                    ),
                ),
                (
                    "fev1_l",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.1")),
                            django.core.validators.MaxValueValidator(Decimal("8")),
                        ],
                        verbose_name="FEV1 (L)",
                    ),
                ),
                (
                    "fev1_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="FEV1 (% predicted)",
                    ),
                ),
                (
                    "fev1_fvc_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="FEV1/FVC (% predicted)",
                    ),
                ),
                (
                    "vc_max_l",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.2")),
                            django.core.validators.MaxValueValidator(Decimal("9")),
                        ],
                        verbose_name="VC max (L)",
                    ),
                ),
                (
                    "vc_max_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="VC max (% predicted)",
                    ),
                ),
                (
                    "dlco_mmol_min_kpa",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=4,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("20")),
                        ],
                        verbose_name="DLCO (mmol/min/kPa)",
                    ),
                ),
                (
                    "dlco_pct_predicted",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(250),
                        ],
                        verbose_name="DLCO (% predicted)",
                    ),
                ),
                (
                    "reference_equation",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("gli2012", "GLI-2012 (spirometry)"),
                            ("gli2017", "GLI-2017 (transfer factor)"),
                            ("ecsc1993", "ECSC 1993"),
                            ("zheng2006", "Chinese reference values (Zheng 2006)"),
                            ("other", "Other (name it)"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "reference_equation_other",
                    models.CharField(blank=True, max_length=100, verbose_name="other reference equation"),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="lung_functions",
                        to="patients.participant",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
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
                "verbose_name": "lung function test",
                "ordering": ["participant", "test_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_lungfunction_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_lungfunction_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_lungfunction_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "test_date"),
                        name="outcomes_lungfunction_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("fev1_l__lte", models.F("fvc_l"))),
                        name="outcomes_lungfunction_fev1_within_fvc",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("reference_equation", ""),
                            ("reference_equation__in", ["gli2012", "gli2017", "ecsc1993", "zheng2006", "other"]),
                            _connector="OR",
                        ),
                        name="outcomes_lungfunction_reference_equation_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="QuantitativeCt",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("scan_date", models.DateField()),
                (
                    "lesion_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="whole-lung lesion (% of lung volume)",
                    ),
                ),
                (
                    "solid_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="solid component (% of lung volume)",
                    ),
                ),
                (
                    "ground_glass_percent",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=4,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("100")),
                        ],
                        verbose_name="ground-glass component (% of lung volume)",
                    ),
                ),
                (
                    "software",
                    models.CharField(help_text="Name and version.", max_length=100, verbose_name="reading software"),
                ),
                (
                    "reader",
                    models.CharField(help_text="The reader's initials or study code (no names).", max_length=100),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="quantitative_cts",
                        to="patients.participant",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
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
                "verbose_name": "quantitative chest CT",
                "verbose_name_plural": "quantitative chest CTs",
                "ordering": ["participant", "scan_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_quantitativect_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_quantitativect_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_quantitativect_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "scan_date"),
                        name="outcomes_quantitativect_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("lesion_percent__gte", 0), ("lesion_percent__lte", 100)),
                            ("lesion_percent__isnull", True),
                            _connector="OR",
                        ),
                        name="outcomes_quantitativect_lesion_percent_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("solid_percent__gte", 0), ("solid_percent__lte", 100)),
                            ("solid_percent__isnull", True),
                            _connector="OR",
                        ),
                        name="outcomes_quantitativect_solid_percent_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("ground_glass_percent__gte", 0), ("ground_glass_percent__lte", 100)),
                            ("ground_glass_percent__isnull", True),
                            _connector="OR",
                        ),
                        name="outcomes_quantitativect_ground_glass_percent_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("solid_percent__lte", models.F("lesion_percent")),
                            ("ground_glass_percent__lte", models.F("lesion_percent")),
                        ),
                        name="outcomes_quantitativect_parts_within_whole",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SixMinuteWalk",
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
                    "deviation_reason",
                    models.TextField(
                        blank=True,
                        help_text="Required when done for a visit outside its window: why (kept as a protocol deviation).",
                    ),
                ),
                ("test_date", models.DateField()),
                (
                    "distance_m",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(1000)], verbose_name="distance walked (m)"
                    ),
                ),
                (
                    "spo2_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="SpO2 before (%)",
                    ),
                ),
                (
                    "spo2_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(50),
                            django.core.validators.MaxValueValidator(100),
                        ],
                        verbose_name="SpO2 after (%)",
                    ),
                ),
                (
                    "heart_rate_before",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(220),
                        ],
                        verbose_name="heart rate before (/min)",
                    ),
                ),
                (
                    "heart_rate_after",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(30),
                            django.core.validators.MaxValueValidator(220),
                        ],
                        verbose_name="heart rate after (/min)",
                    ),
                ),
                (
                    "borg_dyspnoea",
                    models.DecimalField(
                        decimal_places=1,
                        max_digits=3,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0")),
                            django.core.validators.MaxValueValidator(Decimal("10")),
                        ],
                        verbose_name="Borg dyspnoea after (0-10)",
                    ),
                ),
                ("stopped_early", models.BooleanField(default=False, verbose_name="stopped before six minutes")),
                ("stop_reason", models.CharField(blank=True, max_length=200, verbose_name="why it stopped")),
                ("oxygen_used", models.BooleanField(default=False, verbose_name="oxygen during the walk")),
                (
                    "oxygen_flow_l_min",
                    models.DecimalField(
                        blank=True,
                        decimal_places=1,
                        max_digits=3,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(Decimal("0.5")),
                            django.core.validators.MaxValueValidator(Decimal("15")),
                        ],
                        verbose_name="oxygen flow (L/min)",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="six_minute_walks",
                        to="patients.participant",
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
                        help_text="The scheduled visit this was done for (blank: the visit whose window holds the date).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
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
                "verbose_name": "six-minute walk test",
                "ordering": ["participant", "test_date"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_sixminutewalk_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_sixminutewalk_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_sixminutewalk_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("voided", False)),
                        fields=("participant", "test_date"),
                        name="outcomes_sixminutewalk_one_per_day",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("distance_m__lte", 1000)), name="outcomes_sixminutewalk_distance_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("borg_dyspnoea__gte", 0), ("borg_dyspnoea__lte", 10)),
                        name="outcomes_sixminutewalk_borg_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("oxygen_used", True), ("oxygen_flow_l_min__isnull", True), _connector="OR"),
                        name="outcomes_sixminutewalk_flow_only_with_oxygen",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AdverseEvent",
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
                ("term", models.CharField(max_length=200, verbose_name="adverse event (verbatim)")),
                (
                    "meddra_preferred_term",
                    models.CharField(blank=True, max_length=100, verbose_name="MedDRA preferred term"),
                ),
                ("meddra_code", models.CharField(blank=True, max_length=10, verbose_name="MedDRA code")),
                ("onset_datetime", models.DateTimeField(verbose_name="onset")),
                ("resolution_datetime", models.DateTimeField(blank=True, null=True, verbose_name="resolution")),
                (
                    "grade",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "1 Mild"),
                            (2, "2 Moderate"),
                            (3, "3 Severe"),
                            (4, "4 Life-threatening"),
                            (5, "5 Death"),
                        ],
                        verbose_name="CTCAE grade",
                    ),
                ),
                ("serious", models.BooleanField(default=False)),
                ("serious_death", models.BooleanField(default=False, verbose_name="results in death")),
                ("serious_life_threatening", models.BooleanField(default=False, verbose_name="life-threatening")),
                (
                    "serious_hospitalisation",
                    models.BooleanField(default=False, verbose_name="requires or prolongs hospitalisation"),
                ),
                (
                    "serious_disability",
                    models.BooleanField(default=False, verbose_name="persistent or significant disability"),
                ),
                ("serious_congenital_anomaly", models.BooleanField(default=False, verbose_name="congenital anomaly")),
                (
                    "serious_important_medical_event",
                    models.BooleanField(default=False, verbose_name="important medical event"),
                ),
                (
                    "relation",
                    models.CharField(
                        choices=[
                            ("not_related", "Not related"),
                            ("unlikely", "Unlikely"),
                            ("possible", "Possible"),
                            ("probable", "Probable"),
                            ("definite", "Definite"),
                        ],
                        max_length=12,
                        verbose_name="relation to the study product",
                    ),
                ),
                (
                    "attributed_to_progression",
                    models.BooleanField(default=False, verbose_name="attributed to COVID-19 progression"),
                ),
                (
                    "expectedness",
                    models.CharField(choices=[("expected", "Expected"), ("unexpected", "Unexpected")], max_length=10),
                ),
                (
                    "action_taken",
                    models.CharField(
                        choices=[
                            ("none", "None"),
                            ("interrupted", "Infusion interrupted"),
                            ("discontinued", "Product permanently discontinued"),
                            ("not_applicable", "Not applicable (no product given)"),
                        ],
                        max_length=16,
                        verbose_name="action taken with the product",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("recovered", "Recovered"),
                            ("recovering", "Recovering"),
                            ("not_recovered", "Not recovered"),
                            ("sequelae", "Recovered with sequelae"),
                            ("fatal", "Fatal"),
                            ("unknown", "Unknown"),
                        ],
                        max_length=14,
                    ),
                ),
                ("site_aware_datetime", models.DateTimeField(blank=True, null=True, verbose_name="site became aware")),
                (
                    "reported_datetime",
                    models.DateTimeField(blank=True, null=True, verbose_name="reported to the sponsor"),
                ),
                (
                    "infusion",
                    models.ForeignKey(
                        blank=True,
                        help_text="The infusion this event is associated with, if any.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adverse_events",
                        to="dosing.infusion",
                    ),
                ),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adverse_events",
                        to="patients.participant",
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
                "ordering": ["participant", "onset_datetime"],
                "abstract": False,
                "default_permissions": ("add", "change", "view"),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("voided", False),
                            models.Q(models.Q(("void_reason", ""), _negated=True), ("voided_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_adverseevent_void_has_reason",
                        violation_error_message="A voided record needs a reason and a date.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("review_status__in", ["draft", "submitted", "verified", "locked"])),
                        name="outcomes_adverseevent_review_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("review_status__in", ["draft", "submitted"]),
                            models.Q(("verified_by__isnull", False), ("verified_datetime__isnull", False)),
                            _connector="OR",
                        ),
                        name="outcomes_adverseevent_verified_has_who_when",
                        violation_error_message="A verified or locked record needs who verified it and when.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("grade__gte", 1), ("grade__lte", 5)),
                        name="outcomes_adverseevent_grade_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("grade", 5), ("outcome", "fatal")),
                            models.Q(
                                models.Q(("grade", 5), _negated=True), models.Q(("outcome", "fatal"), _negated=True)
                            ),
                            _connector="OR",
                        ),
                        name="outcomes_adverseevent_grade5_iff_fatal",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("resolution_datetime__isnull", True),
                            ("resolution_datetime__gte", models.F("onset_datetime")),
                            _connector="OR",
                        ),
                        name="outcomes_adverseevent_resolution_after_onset",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("serious", False),
                            ("serious_death", True),
                            ("serious_life_threatening", True),
                            ("serious_hospitalisation", True),
                            ("serious_disability", True),
                            ("serious_congenital_anomaly", True),
                            ("serious_important_medical_event", True),
                            _connector="OR",
                        ),
                        name="outcomes_adverseevent_serious_has_criterion",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("relation__in", ["not_related", "unlikely", "possible", "probable", "definite"])
                        ),
                        name="outcomes_adverseevent_relation_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "outcome__in",
                                ["recovered", "recovering", "not_recovered", "sequelae", "fatal", "unknown"],
                            )
                        ),
                        name="outcomes_adverseevent_outcome_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("action_taken__in", ["none", "interrupted", "discontinued", "not_applicable"])
                        ),
                        name="outcomes_adverseevent_action_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("expectedness__in", ["expected", "unexpected"])),
                        name="outcomes_adverseevent_expectedness_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("meddra_code", ""), ("meddra_code__regex", "^[0-9]{8}$"), _connector="OR"),
                        name="outcomes_adverseevent_meddra_code_8_digits",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("site_aware_datetime__isnull", True),
                            ("site_aware_datetime__gte", models.F("onset_datetime")),
                            _connector="OR",
                        ),
                        name="outcomes_adverseevent_aware_after_onset",
                    ),
                ],
            },
        ),
    ]
