"""Templates of the git hooks codequery installs (shipped as codequery.hook_templates)."""
