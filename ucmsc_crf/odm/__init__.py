"""CDISC ODM 1.3.2: the trial's metadata, data, audit trail and signatures in the standard exchange format
(issue 31). ``definitions`` derives the metadata from the case report form registry and the schedule,
``oids`` names everything from codes, ``writer`` streams the file."""
