"""The clinician's pages, thin: every queryset scoped to the user's sites, forms presenting the model layer's
rules, writes that touch several rows through the apps' services.

- ``pages``: what a user reads (home, participant list, participant page);
- ``entry``: what writes (screening, enrolment, each case report form's entry and void page, lab sample,
  signature, answer to a query), each one ``FormPage``;
- ``downloads``: the analysis bundle and the summary report (the closed report too);
- ``matrix``: the subject matrix (participants x visits);
- ``unblinding``: a participant's emergency unblinding page.
"""
