"""Writes of the maintenance app, one module per part: records, service_records, hazards, rescues,
feedback, attachments. Import from the module (maintenance.services.hazards), not from here."""
