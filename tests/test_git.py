"""git.nearest_work_tree: the work tree found as git finds it, without starting git."""

from __future__ import annotations

import os
import subprocess

import pytest

from codequery import git
from codequery.workspace import Workspace
from tests.helpers import cli_run


def test_the_nearest_work_tree_is_the_one_git_names(repo):
    (repo / "src" / "deep").mkdir(parents=True)
    assert git.nearest_work_tree(repo / "src" / "deep") == git.toplevel(repo / "src") == repo


def test_a_linked_worktree_is_found_by_its_git_file(repo, tmp_path):
    linked = tmp_path / "linked"
    subprocess.run(["git", "-C", str(repo), "worktree", "add", "-q", str(linked)],
                   check=True, capture_output=True)
    assert (linked / ".git").is_file()
    assert git.nearest_work_tree(linked) == git.toplevel(linked) == linked


def test_a_symlinked_folder_gives_the_real_path_as_git_does(repo, tmp_path):
    link = tmp_path / "link"
    link.symlink_to(repo)
    assert git.nearest_work_tree(link) == git.toplevel(link) == repo.resolve()


@pytest.mark.parametrize("where", [".git", ".git/refs"])
def test_inside_the_git_folder_git_decides(repo, where):
    assert git.nearest_work_tree(repo / where) is None


def test_a_folder_named_git_without_a_repository_is_no_work_tree(tmp_path):
    (tmp_path / "plain" / ".git").mkdir(parents=True)
    assert git.nearest_work_tree(tmp_path / "plain") is None


def test_a_work_tree_another_user_owns_is_left_to_git(repo, monkeypatch):
    monkeypatch.setattr(os, "getuid", lambda: os.stat(repo).st_uid + 1)
    assert git.nearest_work_tree(repo) is None


def test_a_search_finds_the_set_up_work_tree_without_git_and_anything_else_asks_git(
        repo, tmp_path, monkeypatch):
    assert Workspace.find_quickly(repo / "src").root == repo  # not set up: git's answer
    assert cli_run(repo, "init").exit_code == 0
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    assert Workspace.find_quickly(repo / "src").root == repo  # set up: no git started
    with pytest.raises(Exception, match="git is not installed"):
        Workspace.find(repo)
