"""Admin behaviour every clinical model shares, by concern: ``forms`` (a reason for every change),
``scoping`` (the user's sites only), ``transfer`` (import and export), ``records`` (the clinical record
admin: audited, voided not deleted; its inlines), ``reviewed`` (a case report form's review page and steps).

dosing's and outcomes' admins subclass these, so the rules hold for every case report form without
repeating them.
"""
