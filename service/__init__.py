"""Templates of the per-user service units (shipped as codequery.service_templates)."""
