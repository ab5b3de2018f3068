"""A throw-away case report form, installed by the test settings only (tests/settings.py).

It is what the next engineer writes to add a form: a model, a ward form and one registry entry
(crfs.py), nothing else. tests/test_crf_registry.py shows it on every surface the registry feeds.
"""
