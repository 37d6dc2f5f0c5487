"""A file git checks out with CRLF line ends (core.autocrlf, `eol=crlf`) is the blob git
stores with LF: git calls it unmodified, and so does every face of codequery (search,
show, status), before and after `codequery document` of it."""


from codequery import git as git_mod
from tests.helpers import cli_json, cli_run, git, make_repo

SOURCE = "def parse_invoice(text):\n    \"\"\"Read an invoice.\"\"\"\n    return text\n"


def _crlf_repo(tmp_path):
    repo = make_repo(tmp_path / "repo", {"src/invoices.py": SOURCE})
    git(repo, "config", "core.autocrlf", "true")
    (repo / "src/invoices.py").unlink()
    git(repo, "checkout", "--", "src/invoices.py")
    assert (repo / "src/invoices.py").read_bytes() == SOURCE.replace("\n", "\r\n").encode()
    assert git(repo, "status", "--porcelain") == ""  # git: unmodified
    assert cli_run(repo, "init", "--yes").exit_code == 0
    return repo


def _faces(repo) -> tuple[bool, bool, int]:
    [hit] = cli_json(repo, "search", "parse_invoice")
    shown = cli_json(repo, "show", "src/invoices.py")
    return hit["stale"], shown["stale"], cli_json(repo, "status")["index"]["stale"]


def test_a_crlf_checkout_is_current_in_every_face(tmp_path):
    repo = _crlf_repo(tmp_path)
    assert _faces(repo) == (False, False, 0)
    blob = git(repo, "rev-parse", "HEAD:src/invoices.py").strip()
    assert cli_run(repo, "document", "src/invoices.py", "--force").exit_code == 0
    assert cli_json(repo, "show", "src/invoices.py")["content_sha"] == blob  # git's id
    assert _faces(repo) == (False, False, 0)


def test_an_edit_of_a_crlf_checkout_is_still_stale(tmp_path):
    repo = _crlf_repo(tmp_path)
    (repo / "src/invoices.py").write_bytes(b"def parse_invoice(text):\r\n    return 1\r\n")
    assert _faces(repo) == (True, True, 1)


def test_a_file_committed_with_crlf_keeps_its_own_id():
    data = b"line one\r\nline two\r\n"
    assert git_mod.as_stored(data, git_mod.blob_sha(data)) == data
    assert git_mod.as_stored(data, None) == data
    assert git_mod.as_stored(data, "0" * 40) == data  # not that blob either way
    assert git_mod.worktree_sha(data, git_mod.blob_sha(b"line one\nline two\n")) == \
        git_mod.blob_sha(b"line one\nline two\n")
