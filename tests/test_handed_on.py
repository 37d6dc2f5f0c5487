"""The internal class a C# extension method hands its work to, placed after the method's
file (codequery.handed_on): the pure parts, and in process through Store.search with a
real SQLite index and the files' texts."""

import pytest

from codequery import handed_on, store
from codequery.ranking import Candidate
from tests.test_search_ranking import _add, _paths

QUESTION = "where does the cache drop its oldest entries once it holds more than a maximum"

FACADE = """namespace Demo;

public static partial class ObservableCacheEx
{
    /// <summary>Removes the oldest entries when the cache holds more than a maximum.</summary>
    public static IObservable<Change> LimitSizeTo(this ICache source, int sizeLimit)
    {
        if (sizeLimit <= 0)
        {
            throw new ArgumentException("the size limit must be positive");
        }

        return new SizeLimiter(source, sizeLimit).Run();
    }
}
"""
LIMITER = """namespace Demo.Internal;

internal sealed class SizeLimiter(ICache source, int size)
{
    public IObservable<Change> Run() => source.Connect().Select(Expire);

    private Change Expire(Change change) => change.Skip(size);
}
"""


def _facade_and_limiter(db: store.Store, limiter_access: str = "internal") -> dict[str, str]:
    files = {"src/ObservableCacheEx.LimitSizeTo.cs": FACADE,
             "src/Internal/SizeLimiter.cs": LIMITER.replace("internal", limiter_access)}
    _add(db, "src/ObservableCacheEx.LimitSizeTo.cs", FACADE, language="csharp",
         overview="Removes the oldest entries when the cache holds more than a maximum.",
         classes=[{"name": "ObservableCacheEx", "methods": [
             {"name": "LimitSizeTo", "line": 6,
              "summary": "Removes the oldest entries when the cache holds more than a "
                         "maximum."}]}])
    _add(db, "src/Internal/SizeLimiter.cs", LIMITER, language="csharp",
         classes=[{"name": "SizeLimiter", "line": 3, "methods": [
             {"name": "Run", "line": 5}, {"name": "Expire", "line": 7}]}])
    for i in range(12):  # files that say as much of the cache, with no class to hand on to
        name = f"src/CacheEntries{i:02d}.cs"
        text = (f"public class CacheEntries{i:02d}\n{{\n"
                "    // the cache drops the oldest entries it holds\n"
                "    public void Drop() {}\n}\n")
        files[name] = text
        _add(db, name, text, language="csharp",
             overview="The cache drops the oldest entries it holds.")
    return files


@pytest.fixture
def db(tmp_path):
    return store.Store(store.connect(tmp_path / "data.db"), "demo")


def _placed_after(paths: list[str]) -> bool:
    return paths[:2] == ["src/ObservableCacheEx.LimitSizeTo.cs", "src/Internal/SizeLimiter.cs"]


def test_the_internal_class_an_extension_method_constructs_comes_right_after_it(
        db, monkeypatch):
    files = _facade_and_limiter(db)
    with monkeypatch.context() as off:
        off.setattr(handed_on, "LEADING", 0)
        without = _paths(db, QUESTION, read=files.get)
    assert without[0] == "src/ObservableCacheEx.LimitSizeTo.cs"
    assert "src/Internal/SizeLimiter.cs" not in without[:3]  # the index alone: far down
    found = db.search(QUESTION, read=files.get)
    assert [r["path"] for r in found[:2]] == ["src/ObservableCacheEx.LimitSizeTo.cs",
                                              "src/Internal/SizeLimiter.cs"]
    scores = [r["score"] for r in found]
    assert scores == sorted(scores, reverse=True)
    assert len({r["path"] for r in found}) == len(found)  # moved up, not shown twice


def test_a_public_class_it_constructs_stays_where_it_was(db):
    files = _facade_and_limiter(db, limiter_access="public")
    assert not _placed_after(_paths(db, QUESTION, read=files.get))


def test_a_class_whose_file_cannot_be_read_stays_where_it_was(db):
    files = _facade_and_limiter(db)
    assert _placed_after(_paths(db, QUESTION, read=files.get))
    del files["src/Internal/SizeLimiter.cs"]
    assert not _placed_after(_paths(db, QUESTION, read=files.get))


def test_asked_for_tests_nothing_is_handed_on(db):
    files = _facade_and_limiter(db)
    assert "src/Internal/SizeLimiter.cs" not in _paths(db, QUESTION + " in tests",
                                                       read=files.get, tests=True)


@pytest.mark.parametrize("path, kind, text, facade", [
    ("a/Ex.cs", "source", "public static partial class Ex {}", True),
    ("a/Ex.cs", "source", "internal static class Ex {}", True),
    ("a/Ex.cs", "source", "public sealed class Ex {}", False),
    ("a/Ex.java", "source", "public final class Ex { static class Inner {} }", False),
    ("a/ExTests.cs", "test", "public static class ExTests {}", False),
])
def test_what_is_a_facade(path, kind, text, facade):
    assert handed_on.is_facade(path, kind, text) is facade


def test_the_classes_the_matched_lines_construct():
    text = "\n".join([
        "var a = new Before();",  # line 1: before the window
        "// the window",  # 2
        "var b = new SizeLimiter<T, K>(size);",  # 3
        "throw new ArgumentException(nameof(size));",  # 4: an exception
        "var c = new Expirer (x);",  # 5
        "var d = new SizeLimiter<T, K>(again);",  # 6: once
    ] + ["x();"] * handed_on.BODY_LINES + ["var e = new TooFar();"])
    assert handed_on.constructed(text, (2, 3)) == ["SizeLimiter", "Expirer"]


@pytest.mark.parametrize("text, internal", [
    ("internal sealed class SizeLimiter<T>", True),
    ("internal class SizeLimiter(int size)", True),
    ("internal record struct SizeLimiter", True),
    ("public sealed class SizeLimiter", False),
    ("internal class SizeLimiterFactory", False),
    ("// internal\npublic class SizeLimiter", False),
])
def test_an_internal_declaration(text, internal):
    assert handed_on.declares_internal(text, "SizeLimiter") is internal


def test_placed_keeps_one_candidate_a_file_and_scores_in_order():
    def cand(path, score, lines=None, kind="source"):
        return Candidate({"path": path, "kind": kind, "lines": lines}, score)

    facade = cand("Ex.cs", 10.0, (1, 2))
    ranked = [facade, cand("B.cs", 9.0), cand("C.cs", 9.0), cand("Impl.cs", 1.0)]
    texts = {"Ex.cs": "static class Ex {\n return new Impl(x);\n}",
             "Impl.cs": "internal class Impl {}"}
    out = handed_on.placed(ranked, texts.get, lambda name: [cand(f"{name}.cs", 0.0)])
    assert [c.row["path"] for c in out] == ["Ex.cs", "Impl.cs", "B.cs", "C.cs"]
    assert out[1] is ranked[3]  # the candidate that was there, moved
    assert all(a.score > b.score for a, b in zip(out, out[1:], strict=False))
    # two files named for the class: which one is meant is not known, none moves
    two = handed_on.placed(list(ranked), texts.get,
                           lambda name: [cand(f"a/{name}.cs", 0.0), cand(f"b/{name}.cs", 0.0)])
    assert [c.row["path"] for c in two] == ["Ex.cs", "B.cs", "C.cs", "Impl.cs"]


def test_with_no_facade_among_the_first_results_nothing_is_touched():
    tied = [Candidate({"path": f"{n}.cs", "kind": "source", "lines": (1, 2)}, 5.0)
            for n in ("A", "B")]
    texts = {"A.cs": "public class A { void M() => new Impl(); }", "B.cs": "class B {}"}
    out = handed_on.placed(tied, texts.get, lambda name: [])
    assert out is tied and [c.score for c in out] == [5.0, 5.0]  # ties left as they were
