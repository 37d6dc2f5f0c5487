import os

from codequery import git
from codequery.config import FilesConfig
from codequery.defaults import MAX_FILE_BYTES
from codequery.eligibility import Content, Skip, examine
from tests.helpers import commit_all, make_repo, write
from tests.helpers import git as run_git

KEY = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
       "-----END OPENSSH PRIVATE KEY-----\n")


def _verdicts(repo, files=None):
    files = files or FilesConfig()
    return {e.path: examine(repo, e, files) for e in git.tracked_files(repo)}


def test_what_is_never_documented(tmp_path):
    repo = make_repo(tmp_path / "r", {
        "ok.py": "x = 1\n",
        "logo.png": b"\x89PNG\r\n\x1a\n\0\0\0binary",
        "logo.ai": b"%PDF-1.6\r%\xe2\xe3\xcf\xd3\r\n<x:xmpmeta>" + b"metadata " * 2000,
        "notes.txt": b"%PDF is how the report is sent\n",
        "big.txt": "x" * (MAX_FILE_BYTES + 1),
        "skip/me.py": "x = 2\n",
    })
    outside = tmp_path / "outside.py"
    outside.write_text("secret = 1\n")
    os.symlink(outside, repo / "link_out.py")
    os.symlink("ok.py", repo / "link_in.py")
    os.symlink("skip", repo / "link_folder")  # pyenv links a patch's name to a folder
    os.symlink("loop_b.py", repo / "loop_a.py")  # each leads to the other
    os.symlink("loop_a.py", repo / "loop_b.py")
    commit_all(repo)
    verdicts = _verdicts(repo, FilesConfig(exclude=["skip/*"]))
    assert isinstance(verdicts["ok.py"], Content)
    assert verdicts["logo.png"] == Skip("logo.png", "binary")
    assert verdicts["logo.ai"] == Skip("logo.ai", "binary")  # no NUL in 8000 bytes
    assert isinstance(verdicts["notes.txt"], Content)
    assert verdicts["big.txt"] == Skip("big.txt", "too large")
    assert verdicts["skip/me.py"] == Skip("skip/me.py", "excluded")
    assert verdicts["link_out.py"] == Skip("link_out.py", "symlink outside the repository")
    assert isinstance(verdicts["link_in.py"], Content)
    assert verdicts["link_folder"] == Skip("link_folder", "a link to a folder")
    # a loop had been said to lead outside the repository (a review)
    assert verdicts["loop_a.py"] == Skip("loop_a.py", "symlink loop")


def test_secrets_by_name_and_by_content(tmp_path):
    repo = make_repo(tmp_path / "r", {
        ".env": "TOKEN=abc\n", "deploy/server.pem": "cert\n", "keys.py": f'K = """{KEY}"""\n',
        "aws.cfg": "id = AKIAIOSFODNN7EXAMPLE\n", "plain.py": "x = 1\n",
    })
    verdicts = _verdicts(repo)
    for path in (".env", "deploy/server.pem", "keys.py", "aws.cfg"):
        assert verdicts[path].secret, path
    assert not verdicts["plain.py"].secret


def test_content_sha_is_gits_blob_id(tmp_path):
    repo = make_repo(tmp_path / "r", {"a.py": "print('hi')\n"})
    [entry] = [e for e in git.tracked_files(repo) if e.path == "a.py"]
    assert examine(repo, entry, FilesConfig()).sha == entry.sha


def test_codequery_state_is_never_documented(tmp_path):
    repo = make_repo(tmp_path / "r", {".code-query/config.json": "{}"})
    [entry] = [e for e in git.tracked_files(repo) if e.path.startswith(".code-query")]
    assert examine(repo, entry, FilesConfig()).reason == "codequery state"


def test_submodules_are_skipped(tmp_path):
    inner = make_repo(tmp_path / "inner")
    repo = make_repo(tmp_path / "outer")
    run_git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "sub")
    commit_all(repo)
    assert _verdicts(repo)["sub"] == Skip("sub", "submodule")


def test_write_helper_makes_parents(tmp_path):
    write(tmp_path, {"a/b/c.txt": "x"})
    assert (tmp_path / "a/b/c.txt").read_text() == "x"


def test_a_tracked_link_to_an_ignored_secret_is_a_secret(tmp_path):
    repo = make_repo(tmp_path / "r", {".gitignore": ".env\n"})
    (repo / ".env").write_text("DB_PASSWORD=hunter2\n")
    os.symlink(".env", repo / "settings_link")
    commit_all(repo)
    assert _verdicts(repo)["settings_link"].secret


def test_more_token_formats_are_credentials():
    from codequery.secrets import holds_credential

    for token in (b"sk_live_" + b"a1" * 12, b"github_pat_" + b"A" * 50, b"glpat-" + b"x" * 20,
                  b"AIza" + b"B" * 35):
        assert holds_credential(b"key = '" + token + b"'"), token
    assert not holds_credential(b"def skip_live_reload(): pass")


def test_an_empty_private_key_block_in_a_tls_test_is_not_a_credential(tmp_path):
    from codequery import secrets

    assert not secrets.holds_credential(
        b'let pem = b"-----BEGIN RSA PRIVATE KEY-----\\n\\\n -----END RSA PRIVATE KEY-----\\n";')
    assert secrets.holds_credential(KEY.encode())


def test_a_utf16_source_file_is_text_documented_as_utf8_and_known_by_its_own_bytes(tmp_path):
    raw = "/// <summary>Totals an invoice.</summary>\nclass InvoiceTotals {}\n".encode("utf-16")
    repo = make_repo(tmp_path / "r", {"src/InvoiceTotals.cs": raw,
                                      "src/Key.cs": "var key = \"AKIAIOSFODNN7EXAMPLE\";\n"
                                      .encode("utf-16")})
    verdicts = _verdicts(repo)
    content = verdicts["src/InvoiceTotals.cs"]
    assert isinstance(content, Content) and b"\0" in raw[:100]
    assert content.data.decode("utf-8").startswith("/// <summary>Totals an invoice.")
    assert content.sha == git.blob_sha(raw)  # what git and the work tree hold
    assert verdicts["src/Key.cs"].secret  # the credential is seen through the encoding


def test_a_utf16_mark_alone_is_empty_text_and_utf16_with_nuls_in_it_is_binary():
    from codequery.eligibility import judge
    assert judge("a.cs", b"\xff\xfe", FilesConfig()).data == b""
    assert judge("a.bin", b"\xff\xfe" + b"\0" * 40, FilesConfig()) == Skip("a.bin", "binary")


def test_a_conflicted_file_is_described_as_head_has_it(tmp_path):
    body = "".join(f"line {i}\n" for i in range(20))
    repo = make_repo(tmp_path / "r", {"a.py": "x = 'base'\n", "b.py": "y = 'base'\n",
                                      "c.txt": body})
    run_git(repo, "checkout", "-q", "-b", "other")
    write(repo, {"a.py": "x = 'theirs'\n", "b.py": "y = 'theirs'\n"})
    run_git(repo, "mv", "c.txt", "e.txt")
    commit_all(repo, "theirs")
    run_git(repo, "checkout", "-q", "-")
    write(repo, {"a.py": "x = 'ours'\n"})
    (repo / "b.py").unlink()
    run_git(repo, "mv", "c.txt", "d.txt")
    commit_all(repo, "ours")
    # a.py: both changed; b.py: HEAD deleted it; c.txt: each side renamed it apart
    run_git(repo, "merge", "other", check=False)
    assert run_git(repo, "ls-files", "-s", "c.txt").endswith(" 1\tc.txt\n")  # base only
    head = run_git(repo, "rev-parse", "HEAD:a.py").strip()
    theirs = run_git(repo, "rev-parse", "other:b.py").strip()
    shas = {e.path: e.sha for e in git.tracked_files(repo)}
    assert {p: shas.get(p) for p in ("a.py", "b.py", "c.txt")} == {
        "a.py": head, "b.py": theirs, "c.txt": None}  # never the merge base's
