"""Reading a model's answer: the common near-misses are understood, the rest refused."""

import pytest
from pydantic import ValidationError

from codequery.documenters.llm_output import parse_record
from codequery.records import FileDoc


def test_a_string_where_a_list_belongs_is_a_list_of_one():
    doc = FileDoc.model_validate({"overview": "x", "notes": "Uses a global lock.",
                                  "imports": "os", "exports": "", "dependencies": None})
    assert doc.notes == ["Uses a global lock."]
    assert (doc.imports, doc.exports, doc.dependencies) == (["os"], [], [])


@pytest.mark.parametrize("alias", ["purpose", "description"])
def test_purpose_or_description_serve_as_the_summary(alias):
    doc = FileDoc.model_validate({
        "functions": [{"name": "load", alias: "Reads the file."}],
        "classes": [{"name": "Cache", alias: "Keeps answers.",
                     "methods": [{"name": "get", alias: "One answer."}]}]})
    assert doc.functions[0].summary == "Reads the file."
    assert doc.classes[0].summary == "Keeps answers."
    assert doc.classes[0].methods[0].summary == "One answer."


def test_bare_names_and_nulls_are_read_as_meant():
    doc = FileDoc.model_validate({"overview": None, "functions": ["main", "helper"],
                                  "classes": [{"name": "A", "methods": "run", "bases": "B",
                                               "summary": None}]})
    assert [f.name for f in doc.functions] == ["main", "helper"]
    assert doc.classes[0].methods[0].name == "run" and doc.classes[0].bases == ["B"]
    assert doc.overview == "" and doc.classes[0].summary == ""


def test_a_real_summary_wins_over_an_alias():
    doc = FileDoc.model_validate({"functions": [{"name": "f", "summary": "Kept.",
                                                 "description": "Ignored."}]})
    assert doc.functions[0].summary == "Kept."


def test_what_cannot_be_understood_is_still_refused():
    with pytest.raises(ValidationError):
        FileDoc.model_validate({"functions": [{"summary": "no name at all"}]})
    with pytest.raises(ValidationError):
        FileDoc.model_validate({"classes": 42})


def test_a_variant_answer_through_the_parser_makes_a_valid_record():
    answer = ('{"overview": "Parses invoices.", "notes": "Slow on big files.", '
              '"functions": [{"name": "parse", "purpose": "Reads one invoice.", "line": "3"}]}')
    doc = parse_record(answer)
    assert doc.notes == ["Slow on big files."]
    assert (doc.functions[0].summary, doc.functions[0].line) == ("Reads one invoice.", 3)


def test_a_rejected_answer_is_kept_in_the_error_for_review():
    from codequery.documenters.errors import DocumenterError

    with pytest.raises(DocumenterError) as info:
        parse_record('Here it is: {"overview": "x", "classes": 42, "note": "model text"}')
    assert "wrong shape: classes" in str(info.value)
    assert '"classes": 42, "note": "model text"' in str(info.value)


def test_a_function_needs_a_real_name():
    for bad in ([{"name": None}], [""], [{"name": ""}]):
        with pytest.raises(ValidationError):
            FileDoc.model_validate({"functions": bad})
