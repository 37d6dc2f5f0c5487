"""The line-by-line outliner for languages without a parser (documenters/by_lines.py),
through the builtin documenter as `codequery` runs it, on real-looking files."""

import pytest

from codequery import languages
from codequery.documenters import by_lines
from codequery.documenters.builtin import BuiltinDocumenter
from codequery.store import Store, connect
from tests.helpers import cli_json, cli_run, commit_all, write


def _outline(path: str, text: str):
    language = languages.of_content(path, text.encode("utf-8"))  # as documenting asks
    return BuiltinDocumenter().document(path, language, text)


def _names(doc) -> dict[str, tuple[int | None, str]]:
    found = {f.name: (f.line, f.summary) for f in doc.functions}
    for cls in doc.classes:
        found[cls.name] = (cls.line, cls.summary)
        found.update({f"{cls.name}.{m.name}": (m.line, m.summary) for m in cls.methods})
    return found


LUA = """-- Finders turn a table or a command's output into entries.
local M = {}

--- Creates a finder over a table of results.
-- @param opts table
function M.new_table(opts)
  return opts
end

local function helper(x) return x end

Picker.find = function(self) end

function Picker:close_windows(status)
end
"""

DART = """/// An HTTP client, with interceptors.
abstract class Dio {
  /// Sends a GET request.
  Future<Response<T>> get<T>(
    String path, {
    Object? data,
  });

  void close({bool force = false}) {
    if (force) {
      return shutdown(1);
    }
    final x = bar(2);
    setState(() {
    });
  }
}

/// Merges two maps.
Map<String, dynamic> mergeMaps(Map a, Map b) => {...a, ...b};
"""


def test_lua_functions_however_they_are_written_with_their_comments():
    doc = _outline("lua/telescope/finders.lua", LUA)
    assert doc.overview == "Finders turn a table or a command's output into entries."
    assert _names(doc) == {"M.new_table": (6, "Creates a finder over a table of results."),
                           "helper": (10, ""), "Picker.find": (12, ""),
                           "Picker:close_windows": (14, "")}


def test_dart_classes_hold_their_methods_and_statements_are_no_definitions():
    doc = _outline("lib/src/dio.dart", DART)
    assert _names(doc) == {"Dio": (2, "An HTTP client, with interceptors."),
                           "Dio.get": (4, "Sends a GET request."), "Dio.close": (9, ""),
                           "mergeMaps": (20, "Merges two maps.")}


@pytest.mark.parametrize("path,text,wanted", [
    ("src/ShellCheck/Parser.hs",
     "-- | Shell parsing.\nmodule ShellCheck.Parser where\n\n-- | Parse a script into an AST.\n"
     "parseShell :: String -> Token\nparseShell s = undefined\n\ndata Token = Token Int\n",
     {"parseShell": (5, "Parse a script into an AST."), "Token": (8, "")}),
    ("src/cowboy_req.erl",
     "%% @doc Request handling.\n-module(cowboy_req).\n\n%% @doc Return the request method.\n"
     "-spec method(req()) -> binary().\nmethod(#{method := M}) ->\n    M.\n\n"
     "read_body(Req) ->\n    read_body(Req, #{}).\nread_body(Req, Opts) ->\n    ok.\n",
     {"method": (6, "Return the request method."), "read_body": (9, "")}),
    ("src/server.zig",
     "//! The language server.\nconst std = @import(\"std\");\n\n/// Server state.\n"
     "pub const Server = struct {\n    /// Handles a request.\n"
     "    pub fn handleRequest(self: *Server) !void {}\n};\n\nfn helper() void {}\n",
     {"Server": (5, "Server state."), "Server.handleRequest": (7, "Handles a request."),
      "helper": (10, "")}),
    ("AFNetworking/AFURLSessionManager.m",
     "#import \"AFURLSessionManager.h\"\n\n@implementation AFURLSessionManager\n\n/**\n"
     " Creates and returns a manager.\n */\n- (instancetype)initWithConfiguration:"
     "(NSURLSessionConfiguration *)configuration {\n    return self;\n}\n\n"
     "- (void)setValue:(id)value forKey:(NSString *)key\n{\n}\n\n@end\n\n"
     "static void create_task_safely(dispatch_block_t block) {\n}\n",
     {"AFURLSessionManager": (3, ""),
      "AFURLSessionManager.initWithConfiguration:": (8, "Creates and returns a manager."),
      "AFURLSessionManager.setValue:forKey:": (12, ""), "create_task_safely": (18, "")}),
    ("src/ring/middleware/params.clj",
     "(ns ring.middleware.params\n  \"Middleware to parse url-encoded parameters.\")\n\n"
     "(defn assoc-query-params\n  \"Parse and assoc parameters from the query string\n"
     "  with the request.\"\n  [request encoding]\n  request)\n\n(defn- helper [x] x)\n",
     {"assoc-query-params": (4, "Parse and assoc parameters from the query string with the "
                                "request."), "helper": (10, "")}),
])
def test_definitions_and_their_docs_in_languages_without_a_parser(path, text, wanted):
    assert _names(_outline(path, text)) == wanted


def test_a_perl_module_is_described_by_its_pod_name_line():
    text = ("package Mojo::UserAgent;\nuse Mojo::Base 'Mojo::EventEmitter';\n\n"
            "# Start a non-blocking request\nsub start {\n  my ($self, $tx) = @_;\n}\n\n1;\n\n"
            "=head1 NAME\n\nMojo::UserAgent - Non-blocking I/O HTTP and WebSocket user agent\n")
    doc = _outline("lib/Mojo/UserAgent.pm", text)
    assert doc.overview == "Non-blocking I/O HTTP and WebSocket user agent"
    assert _names(doc) == {"Mojo::UserAgent": (1, ""),
                           "Mojo::UserAgent.start": (5, "Start a non-blocking request")}


def test_every_language_outlined_by_lines_has_a_file_name_that_leads_to_it():
    named = {languages.detect(f"x{suffix}") for suffix in (
        ".lua", ".dart", ".hs", ".zig", ".m", ".pm", ".erl", ".clj", ".ml", ".fs", ".jl",
        ".R", ".groovy", ".elm", ".nim", ".sol", ".proto", ".graphql")}
    matlab = languages.of_content("x.m", b"function y = f(x)\nend\n")
    assert named | {matlab} == by_lines.LANGUAGES
    assert languages.of_content("x.m", b"#import <Foundation/Foundation.h>\n") == "objc"
    assert by_lines.outline("text", "anything") is None


def test_a_dart_method_is_found_by_what_its_doc_comment_says(repo):
    write(repo, {"lib/src/dio.dart": DART, "lib/src/other.dart": "void other() {}\n"})
    commit_all(repo, "dart")
    cli_run(repo, "init")
    assert cli_json(repo, "search", "send a GET request")[0]["path"] == "lib/src/dio.dart"
    record = Store(connect(repo / ".code-query/code_data.db"), "repo").get("lib/src/dio.dart")
    methods = record["classes"][0]["methods"]
    assert [m["name"] for m in methods] == ["get", "close"]


@pytest.mark.parametrize("path,text,wanted", [
    ("lib/a.dart", "/*\nvoid old() {\n}\n*/\n\nvoid dispose() {}\n", {"dispose": (6, "")}),
    ("a.lua", "--[[\nfunction old()\nend\n]]\n\nfunction new() end\n", {"new": (6, "")}),
    ("A.hs", "{-\nold :: Int\n-}\n\nclass Monad m => MonadLogger m where\n",
     {"MonadLogger": (5, "")}),
    ("a.ml", "exception Lex_error of string\nlet () = run ()\nlet open_file p = p\n",
     {"Lex_error": (1, ""), "open_file": (3, "")}),
    ("a.clj", "(defn ^:private ^String helper\n  \"Helps.\"\n  [x] x)\n",
     {"helper": (1, "Helps.")}),
    ("A.fs", "type Shape =\n    abstract member Area : float\n",
     {"Shape": (1, ""), "Shape.Area": (2, "")}),
    ("Lib.pm", "package Lib 1.23;\n\n=head2 old\n\nsub old {}\n\n=cut\n\nsub new {}\n"
     "__END__\nsub gone {}\n",
     {"Lib": (1, ""), "Lib.new": (9, "")}),
    ("Token.sol",
     "/// @notice Moves tokens between accounts.\nfunction transfer(address to) {\n}\n",
     {"transfer": (2, "Moves tokens between accounts.")}),
    ("AFHTTPSessionManager.m",
     "//\n// Copyright (c) 2011 AFNetworking\n//\n\n#import \"AFHTTPSessionManager.h\"\n\n"
     "@implementation AFHTTPSessionManager\n/*! Runs a task. */\n"
     "- (void)runWithCompletion:(void (^)(NSError *error))completion queue:(id)queue {\n}\n"
     "@end\n",
     {"AFHTTPSessionManager": (7, ""),
      "AFHTTPSessionManager.runWithCompletion:queue:": (9, "Runs a task.")}),
])
def test_what_the_review_of_the_outliner_found(path, text, wanted):
    assert _names(_outline(path, text)) == wanted


def test_an_objective_c_file_s_overview_is_no_import_line():
    text = "#import \"AFURLSessionManager.h\"\n\n@implementation AFURLSessionManager\n@end\n"
    assert not _outline("AFURLSessionManager.m", text).overview.startswith("import")
    text = "// Manages URL sessions.\n#import <Foundation/Foundation.h>\n"
    assert _outline("AFURLSessionManager.m", text).overview == "Manages URL sessions."


def test_a_dot_m_file_without_objective_c_marks_is_matlab_with_help_under_its_function():
    text = ("function y = rmsnorm(x)\n%RMSNORM Root mean square of a vector.\n"
            "%   Y = RMSNORM(X)\ny = sqrt(mean(x.^2));\nend\n")
    doc = _outline("toolbox/rmsnorm.m", text)
    assert _names(doc) == {"rmsnorm": (1, "RMSNORM Root mean square of a vector.")}
    assert doc.overview.startswith("Defines rmsnorm (MATLAB).")


def test_a_nim_proc_is_summed_up_by_the_doc_comment_under_it():
    doc = _outline("src/parser.nim", "proc parse*(s: string): Node =\n"
                   "  ## Parses a document into nodes.\n  discard\n")
    assert _names(doc) == {"parse": (1, "Parses a document into nodes.")}


def test_dart_constructors_getters_and_setters_are_methods_of_their_class():
    text = ("class Dio {\n  /// Creates a client.\n  Dio([BaseOptions? options]);\n\n"
            "  /// From JSON.\n  factory Dio.fromJson(Map json) => Dio();\n\n"
            "  const Dio.empty() : x = 1;\n\n  /// The base URL.\n"
            "  String get baseUrl => _base;\n\n  set baseUrl(String value) {\n  }\n\n"
            "  void reset() {\n    final d = Dio();\n    return Dio.empty();\n  }\n}\n")
    assert _names(_outline("lib/dio.dart", text)) == {
        "Dio": (1, ""), "Dio.Dio": (3, "Creates a client."),
        "Dio.Dio.fromJson": (6, "From JSON."), "Dio.Dio.empty": (8, ""),
        "Dio.baseUrl": (11, "The base URL."), "Dio.reset": (16, "")}


def test_a_comment_that_is_only_the_file_name_is_no_overview():
    text = ("//\n//  AFHTTPClient.m\n//\n\n// Sends requests.\n#import \"AFHTTPClient.h\"\n"
            "@implementation AFHTTPClient\n@end\n")
    assert _outline("AFHTTPClient.m", text).overview == "Sends requests."
