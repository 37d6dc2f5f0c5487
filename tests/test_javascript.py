"""JavaScript's many ways of defining a function, each outlined (documenters.javascript)."""

from __future__ import annotations

from tests.helpers import names, outline_source


def test_property_assignment_is_named_by_its_target() -> None:
    doc = outline_source("javascript", """
        var res = Object.create(http.ServerResponse.prototype);

        /** Transfer the file at the given `path`. */
        res.sendFile = function sendFile(path, options) {
          return send(this, path);
        };
    """)
    (send_file,) = doc.functions
    assert send_file.name == "res.sendFile"
    assert send_file.summary == "Transfer the file at the given `path`."
    assert send_file.signature == "res.sendFile = function sendFile(path, options)"
    assert send_file.line == 4


def test_chained_assignment_is_named_by_its_first_target() -> None:
    source = "req.get =\nreq.header = function header(name) { return name; };\n"
    doc = outline_source("javascript", source)
    assert names(doc.functions) == ["req.get"]


def test_prototype_methods_make_a_class_with_its_constructor() -> None:
    doc = outline_source("javascript", """
        /** A template view. */
        function View(name) { this.name = name; }

        /** Render with the given options. */
        View.prototype.render = function render(options, callback) {};
        View.prototype.lookup = (name) => name;
    """)
    assert doc.functions == []
    (view,) = doc.classes
    assert (view.name, view.line, view.summary) == ("View", 2, "A template view.")
    assert [m.name for m in view.methods] == ["constructor", "render", "lookup"]
    assert view.methods[1].summary == "Render with the given options."
    assert view.methods[1].line == 5


def test_prototype_object_literal_gives_methods() -> None:
    source = "Router.prototype = {\n  handle(req) {},\n  use: function (fn) {},\n};\n"
    doc = outline_source("javascript", source)
    assert [m.name for m in doc.classes[0].methods] == ["handle", "use"]


def test_exports_property_is_exported_under_its_bare_name() -> None:
    doc = outline_source("javascript", """
        exports.parse = function (str) { return str; };
        module.exports.format = (obj) => String(obj);
    """)
    assert names(doc.functions) == ["parse", "format"]
    assert doc.exports == ["parse", "format"]


def test_module_exports_function_is_named_by_its_own_name() -> None:
    source = "module.exports = function serveStatic(root) { return root; };\n"
    doc = outline_source("javascript", source)
    assert names(doc.functions) == ["serveStatic"]
    assert doc.exports == ["serveStatic"]


def test_anonymous_module_exports_function_is_named_module_exports() -> None:
    doc = outline_source("javascript", "module.exports = (stream) => stream !== null;\n")
    assert names(doc.functions) == ["module.exports"]


def test_module_exports_object_methods_and_accessors() -> None:
    doc = outline_source("javascript", """
        module.exports = {
          /** Return request header. */
          get header() { return this.req.headers; },
          set header(value) { this.req.headers = value; },
          inspect() { return this.toJSON(); },
          toJSON: function () { return {}; },
          limit: 10,
        };
    """)
    assert names(doc.functions) == ["header", "inspect", "toJSON"]
    assert doc.functions[0].summary == "Return request header."
    assert doc.functions[0].line == 3
    assert doc.exports == ["header", "inspect", "toJSON", "limit"]


def test_alias_of_module_exports_object_defines_exported_names() -> None:
    doc = outline_source("javascript", "const proto = module.exports = {\n  inspect() {},\n};\n")
    assert names(doc.functions) == ["inspect"]


def test_object_literal_in_a_variable_names_methods_by_the_variable() -> None:
    source = "const utils = {\n  clamp(v) { return v; },\n  max: 3,\n};\n"
    doc = outline_source("javascript", source)
    assert names(doc.functions) == ["utils.clamp"]


def test_helper_call_getter_is_named_by_its_string() -> None:
    doc = outline_source("javascript", """
        var req = Object.create(http.IncomingMessage.prototype);

        /**
         * Return the protocol string "http" or "https".
         *
         * @return {String}
         */

        defineGetter(req, 'protocol', function protocol() {
          return this.secure ? 'https' : 'http';
        });
    """)
    (protocol,) = doc.functions
    assert protocol.name == "req.protocol"
    assert protocol.summary == 'Return the protocol string "http" or "https".'
    assert protocol.line == 9


def test_define_property_getter_on_exports_is_exported() -> None:
    source = "Object.defineProperty(exports, 'version', { get() { return '1'; } });\n"
    doc = outline_source("javascript", source)
    assert names(doc.functions) == ["version"]
    assert doc.exports == ["version"]


def test_route_handlers_and_test_blocks_are_not_symbols() -> None:
    doc = outline_source("javascript", """
        app.get('/users', function (req, res) { res.send([]); });
        describe('Router', function () { it('works', function () {}); });
        emitter.on('close', function onClose() {});
    """)
    assert doc.functions == []


def test_iife_body_is_outlined() -> None:
    doc = outline_source("javascript", """
        ;(function (root) {
          /** Deep-merge objects. */
          function merge(a, b) { return a; }
          root.merge = merge;
          root.clone = function clone(x) { return x; };
        })(this);
    """)
    assert names(doc.functions) == ["merge", "root.clone"]
    assert doc.functions[0].summary == "Deep-merge objects."


def test_umd_factory_body_is_outlined() -> None:
    doc = outline_source("javascript", """
        (function (root, factory) {
          if (typeof define === 'function') { define([], factory); }
          else { root.lib = factory(); }
        }(this, function () {
          function lib(x) { return x; }
          return lib;
        }));
    """)
    assert names(doc.functions) == ["lib"]


def test_class_getter_and_setter_are_one_method() -> None:
    doc = outline_source("javascript", """
        class Request {
          /** The request URL. */
          get url() { return this._url; }
          set url(value) { this._url = value; }
        }
    """)
    (url,) = doc.classes[0].methods
    assert (url.name, url.summary, url.signature) == ("url", "The request URL.", "get url()")


def test_class_expression_is_a_class() -> None:
    source = "module.exports = class Application extends Emitter {\n  listen() {}\n};\n"
    doc = outline_source("javascript", source)
    (app,) = doc.classes
    assert (app.name, app.bases, [m.name for m in app.methods]) == (
        "Application", ["Emitter"], ["listen"])
    assert doc.exports == ["Application"]


def test_class_expression_in_a_variable_is_named_by_it() -> None:
    doc = outline_source("javascript", "const Store = class extends Base {};\n")
    assert [c.name for c in doc.classes] == ["Store"]


def test_typescript_property_functions_too() -> None:
    source = "api.fetch = async (url: string): Promise<Response> => fetch(url);\n"
    doc = outline_source("typescript", source)
    assert names(doc.functions) == ["api.fetch"]
    assert doc.functions[0].signature == "api.fetch = async (url: string): Promise<Response>"


def test_computed_and_destructured_targets_define_nothing() -> None:
    source = "handlers[name] = function () {};\nconst { a, b } = { a() {}, b() {} };\n"
    doc = outline_source("javascript", source)
    assert doc.functions == []


def test_umd_parenthesized_factory_inside_the_call_is_outlined() -> None:
    doc = outline_source("javascript", """
        (function (global, factory) {
          module.exports = factory();
        }(this, (function () {
          // Is a given value a boolean?
          function isBoolean(obj) { return obj === true || obj === false; }
          return { isBoolean: isBoolean };
        })));
    """)
    assert [(f.name, f.summary) for f in doc.functions] == [
        ("isBoolean", "Is a given value a boolean?")]


def test_nested_exports_property_exports_its_first_name() -> None:
    doc = outline_source("javascript", "exports.a.b = function () {};\n")
    assert (names(doc.functions), doc.exports) == (["a.b"], ["a"])


def test_a_function_behind_a_typescript_cast_is_a_function() -> None:
    doc = outline_source("typescript", """
        /** Loads page after page. */
        export const infinite = (<Data>(useNext: Hook) =>
          (key: string) => useNext(key)) as unknown as Middleware
        export const checked = ((a: number) => a + 1) satisfies Step
        const sure = (function named() { return 2 })!
        const plain = -1
    """)
    assert names(doc.functions) == ["infinite", "checked", "sure"]
    assert doc.functions[0].summary == "Loads page after page."


def test_a_default_export_behind_a_typescript_cast_is_a_function() -> None:
    doc = outline_source("typescript", """
        /** Doubles a number. */
        export default ((a: number) => a * 2) as F
    """)
    assert [(f.name, f.summary, f.line) for f in doc.functions] == [
        ("<default>", "Doubles a number.", 2)]
    assert doc.exports == ["default"]


def test_a_default_export_of_a_name_behind_parentheses_or_a_cast_exports_it() -> None:
    doc = outline_source("typescript", "const handler = 1\nexport default (handler as H)\n")
    assert doc.exports == ["handler"]


def test_an_iife_behind_an_operator_is_outlined_but_a_negated_value_is_no_function() -> None:
    doc = outline_source("javascript", """
        !function () { function bang() {} }();
        void (function () { function quiet() {} })();
        var notOne = !function () {};
    """)
    assert names(doc.functions) == ["bang", "quiet"]


def test_a_constructor_functions_own_methods_make_its_class() -> None:
    doc = outline_source("javascript", """
        function Karma(updater, socket) {
          var self = this;
          this.updater = updater;

          /** Send one result, or keep it with the others. */
          this.result = function (originalResult) { return originalResult; };
          this.complete = this.done = function (result) {};
          if (socket) { this.hidden = function () {}; }
        }

        var Reporter = function (formatter) {
          this.onRunComplete = () => formatter();
        };
        Reporter.prototype.onRunComplete = function () {};

        const setup = () => { this.onReady = function () {}; };

        function plain() { return this.x; }
    """)
    assert names(doc.functions) == ["setup", "plain"]  # an arrow function makes no class
    karma, reporter = doc.classes
    assert karma.name == "Karma" and karma.line == 1
    assert names(karma.methods) == ["constructor", "result", "complete"]  # not in an `if`
    result = karma.methods[1]
    assert result.summary == "Send one result, or keep it with the others."
    assert result.line == 6
    assert result.signature.startswith("this.result = function (originalResult)")
    assert reporter.name == "Reporter"
    assert names(reporter.methods) == ["constructor", "onRunComplete"]  # once


def test_a_method_assigned_to_this_in_a_class_method_is_not_a_constructor_s() -> None:
    doc = outline_source("typescript", """
        export class Terminal {
          open(): void { this.onData = function (d: string) {}; }
        }
    """)
    (terminal,) = doc.classes
    assert names(terminal.methods) == ["open"]


def test_a_member_named_by_a_string_is_outlined() -> None:
    # protobuf.js's wrappers.js: `wrappers[".google.protobuf.Any"] = {fromObject, toObject}`
    # gave no symbol at all, and a key that is a name reads as a property
    doc = outline_source("javascript", """
        wrappers[".google.protobuf.Any"] = {
            fromObject: function (object) { return object; },
            toObject(message, options) { return message; },
        };
        exports["default"] = function main(argv) {};
        Promise.prototype["finally"] = function (handler) {};
        table[key] = function () {};
    """)
    assert names(doc.functions) == ['wrappers[".google.protobuf.Any"].fromObject',
                                    'wrappers[".google.protobuf.Any"].toObject', "default"]
    assert doc.functions[0].line == 2
    assert doc.exports == ["default"]
    assert [(c.name, [m.name for m in c.methods]) for c in doc.classes] == [
        ("Promise", ["finally"])]


def test_a_name_for_the_exports_stands_between_the_opening_comment_and_the_code() -> None:
    doc = outline_source("javascript", """
        "use strict";

        /**
         * Wrappers for common types.
         * @const
         */
        var wrappers = exports;

        var util = require("./util");

        wrappers.find = function find(name) { return util.lookup(name); };
    """)
    assert doc.overview == "Wrappers for common types."
    assert names(doc.functions) == ["wrappers.find"]


def test_an_object_literal_mixed_in_by_a_call_gives_the_target_its_methods() -> None:
    # jQuery's src/attributes/prop.js, 134 lines, had an empty record: its API is what
    # `jQuery.fn.extend({...})` and `jQuery.extend({...})` mix in
    doc = outline_source("javascript", """
        jQuery.fn.extend( {
            /** Get or set a property of each element. */
            prop: function( name, value ) {},
            removeProp: function( name ) {}
        } );
        jQuery.extend( { propFix: { "for": "htmlFor" }, prop( elem, name ) {} } );
        Object.assign(Router.prototype, { handle(req) {}, use: function (fn) {} });
        _.extend(Events, { on: function (name) {} });
        configure({ onError(error) {} });
        $.ajax({ url: "/a", success(data) {} });
        mixin(Emitter.prototype, { emit(name) {} });
        Object.defineProperty(exports, "ready", { get() { return true; } });
    """)
    assert names(doc.functions) == ["jQuery.fn.prop", "jQuery.fn.removeProp", "jQuery.prop",
                                    "Events.on", "ready"]
    assert doc.functions[0].summary == "Get or set a property of each element."
    assert [(c.name, names(c.methods)) for c in doc.classes] == [("Router", ["handle", "use"]),
                                                                  ("Emitter", ["emit"])]


def test_a_class_made_by_extend_is_a_class_with_its_base() -> None:
    doc = outline_source("javascript", """
        /** A list of todos. */
        var TodoView = Backbone.View.extend({
          /** Re-render the title. */
          render: function () { return this; },
          close() {}
        });
        export const Canvas = Renderer.extend({ onAdd(map) {} });
        const server = http.createServer({ keepAlive: true });
    """)
    assert [(c.name, c.bases, names(c.methods)) for c in doc.classes] == [
        ("TodoView", ["Backbone.View"], ["render", "close"]),
        ("Canvas", ["Renderer"], ["onAdd"])]
    assert doc.classes[0].summary == "A list of todos."
    assert doc.classes[0].methods[0].summary == "Re-render the title."
    assert doc.classes[0].line == 2


def test_a_function_the_module_exports_whole_is_read_as_its_body() -> None:
    # bluebird's src/cancel.js and the rest: `module.exports = function (Promise) {...}`
    # defines the file's API inside, and was outlined as `module.exports` alone
    doc = outline_source("javascript", """
        "use strict";
        module.exports = function(Promise, PromiseArray) {
        var util = require("./util");

        /** Cancel the promise and what it follows. */
        Promise.prototype.cancel = function() {
            return this._cancel();
        };

        function settle(values) { return values; }

        Promise.settle = function (promises) { return settle(promises); };
        };
    """)
    assert names(doc.functions) == ["module.exports", "settle", "Promise.settle"]
    assert doc.functions[1].line == 10
    (promise,) = doc.classes
    assert [(m.name, m.summary) for m in promise.methods] == [
        ("cancel", "Cancel the promise and what it follows.")]
    assert "./util" in doc.imports
