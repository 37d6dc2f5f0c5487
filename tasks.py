"""The Huey instance of the repository in CODEQUERY_ROOT (or the current directory).

`huey_consumer tasks.huey` runs the same worker as `codequery worker start`.
"""

from codequery.huey_app import document_job, huey, prune_completed  # noqa: F401
