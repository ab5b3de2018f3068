from django.apps import AppConfig


class ExampleCrfConfig(AppConfig):
    name = "tests.example_crf"
    label = "example_crf"
    verbose_name = "Example form (tests only)"
