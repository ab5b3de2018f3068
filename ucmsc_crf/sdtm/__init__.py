"""CDISC SDTM datasets (SAS transport) of the trial, from the casebooks: the submission's tabulation data."""
