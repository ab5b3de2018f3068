"""The randomisation list of a randomised design (patients/casebook/design.py):

- ``blocks``: permuted blocks as pure functions (generate a stratum's sequence, check a list's blocks);
- ``strata``: a design's strata and the stratum a participant falls in;
- ``models``: the list (how it was made, its sign-off), its strata and slots;
- ``services``: generate, import and sign off the list; take a slot at enrolment (``slot_allocate``).
"""
