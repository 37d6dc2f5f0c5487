"""Reading a repository's file for ranking (codequery.file_text): real files, links and a
fifo in a temporary directory."""

import codecs
import os

import pytest

from codequery import file_text


@pytest.fixture(params=["kernel", "no /proc", "no O_PATH"])
def where_told(request, monkeypatch):
    """Where a file is: as Linux's /proc tells it for a path looked up, or (where it
    cannot, as without /proc, or on macOS, which has no O_PATH either) by resolving the
    path's links."""
    if request.param != "kernel":
        monkeypatch.setattr(file_text, "_opened", lambda handle: None)
    if request.param == "no O_PATH":
        monkeypatch.setattr(file_text, "_O_PATH", 0)


def test_text_of_reads_a_file_inside_the_repository(tmp_path, where_told):
    (tmp_path / "a.py").write_text("héllo wörld")
    assert file_text.text_of(tmp_path, "a.py", 100) == "héllo wörld"
    assert file_text.text_of(tmp_path, "a.py", 2) == "h\ufffd"  # cut inside a letter
    (tmp_path / "bad.bin").write_bytes(b"ok\xff\xfe")  # no UTF-8 at all: Windows-1252
    assert file_text.text_of(tmp_path, "bad.bin", 100) == "ok\xff\xfe"
    (tmp_path / "stray.txt").write_bytes("café".encode() + b" ok\xff")  # UTF-8, a stray byte
    assert file_text.text_of(tmp_path, "stray.txt", 100) == "café ok\ufffd"
    # legacy text in which a letter precedes a byte UTF-8 continues with, or that ends
    # with an accented letter, is legacy text all the same
    for legacy in ("the café’s menu", "ending in café", "naïve – “quoted”"):
        (tmp_path / "legacy.txt").write_bytes(legacy.encode("cp1252"))
        assert file_text.text_of(tmp_path, "legacy.txt", 100) == legacy


def test_text_of_reads_nothing_outside_the_repository_or_that_is_no_file(tmp_path, where_told):
    root, outside = tmp_path / "repo", tmp_path / "secret.txt"
    root.mkdir()
    outside.write_text("password")
    os.symlink(outside, root / "link.txt")
    os.symlink(tmp_path, root / "up")
    assert file_text.text_of(root, "up/secret.txt", 100) is None
    assert file_text.text_of(root, "/etc/passwd", 100) is None
    assert file_text.text_of(root, "bad\0name", 100) is None
    os.mkfifo(root / "pipe")
    (root / "dir").mkdir()
    assert file_text.text_of(root, "link.txt", 100) is None
    assert file_text.text_of(root, "../secret.txt", 100) is None
    assert file_text.text_of(root, "pipe", 100) is None
    assert file_text.text_of(root, "dir", 100) is None
    assert file_text.text_of(root, "gone.py", 100) is None
    (root / "inner.txt").write_text("inside")
    os.symlink(root / "inner.txt", root / "inner-link.txt")
    assert file_text.text_of(root, "inner-link.txt", 100) == "inside"
    (root / "sub").mkdir()
    os.symlink(outside, root / "sub" / "deep-link.txt")
    os.symlink(root / "sub", root / "sub-link")
    assert file_text.text_of(root, "sub-link/deep-link.txt", 100) is None
    (root / "sub" / "b.txt").write_text("through a folder link inside")
    assert file_text.text_of(root, "sub-link/b.txt", 100) == "through a folder link inside"
    # a folder beside the repository whose name starts as the repository's does
    sibling = tmp_path / "repo2"
    sibling.mkdir()
    (sibling / "x.txt").write_text("next door")
    os.symlink(sibling, root / "next")
    assert file_text.text_of(root, "next/x.txt", 100) is None
    assert file_text.text_of(root, "../repo2/x.txt", 100) is None
    # the repository reached through a link to it
    os.symlink(root, tmp_path / "repo-link")
    assert file_text.text_of(tmp_path / "repo-link", "inner.txt", 100) == "inside"
    assert file_text.text_of(tmp_path / "repo-link", "next/x.txt", 100) is None


def test_text_marked_as_utf16_or_utf32_is_read_as_what_it_says(tmp_path):
    source = "// Übersicht\nclass Invoice {}\n"
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = source.encode(codec)
        if codec == "utf-16-be":
            data = b"\xfe\xff" + data  # the mark, which Python writes only for utf-16
        (tmp_path / "a.cs").write_bytes(data)
        assert file_text.text_of(tmp_path, "a.cs", 1000) == source, codec
        assert file_text.as_utf8(data) == source.encode("utf-8")
    plain = source.encode("utf-8")
    assert file_text.as_utf8(plain) is plain
    marked = b"\xef\xbb\xbfutf-8 with its mark"
    assert file_text.as_utf8(marked) is marked
    # cut inside a unit: what is whole is kept, the rest replaced; only the mark: empty
    assert file_text.as_utf8("ab".encode("utf-16")[:-1]).decode() == "a\ufffd"
    assert file_text.as_utf8(codecs.BOM_UTF16_LE) == b""


def test_whole_bytes_are_read_only_from_a_regular_file_inside(tmp_path, where_told):
    """The stale check and the reconciler read a file whole, following a link inside
    the repository; a link to a fifo must not make them wait for a writer forever."""
    from codequery import freshness, git, reconcile

    (tmp_path / "a.py").write_bytes(b"x = 1\n")
    os.symlink("a.py", tmp_path / "link.py")
    os.mkfifo(tmp_path / "pipe")
    os.symlink("pipe", tmp_path / "to-pipe")
    sha = git.blob_sha(b"x = 1\n")
    assert file_text.regular_bytes(tmp_path, "link.py") == b"x = 1\n"
    big = os.urandom(200_000)
    (tmp_path / "big.bin").write_bytes(big)
    assert file_text.regular_bytes(tmp_path, "big.bin") == big
    assert file_text.regular_bytes(tmp_path, "big.bin", 70_000) == big[:70_000]
    (tmp_path / "empty").write_bytes(b"")
    assert file_text.regular_bytes(tmp_path, "empty") == b""
    assert reconcile.disk_sha(tmp_path, "link.py") == sha
    assert not freshness.is_stale(tmp_path, "link.py", sha)
    assert file_text.regular_bytes(tmp_path, "to-pipe") is None
    assert reconcile.disk_sha(tmp_path, "to-pipe") is None
    assert freshness.is_stale(tmp_path, "to-pipe", sha)


def test_a_lookup_that_cannot_be_opened_again_is_read_by_resolving(tmp_path, monkeypatch):
    """A /proc that tells where a file is but will not open it again (a hardened
    container): the file is read by resolving its path instead."""
    (tmp_path / "a.py").write_text("x = 1\n")
    real_open = os.open

    def refusing(path, *args, **kwargs):
        if str(path).startswith("/proc/self/fd/"):
            raise PermissionError(13, "refused", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(file_text.os, "open", refusing)
    assert file_text.text_of(tmp_path, "a.py", 100) == "x = 1\n"
