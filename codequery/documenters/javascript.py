"""JavaScript and TypeScript: functions however they are defined, not just declarations.

Besides `function f()` and classes, a file's API is made of assignments
(`res.send = function send() {}`, `Foo.prototype.bar = ...`, `exports.x = ...`,
`module.exports = {...}`), object-literal methods, a constructor function's
`this.x = function () {}`, and helper calls that define getters
(`defineGetter(req, 'host', function host() {})`), and mixins: an object literal handed to a
call (`jQuery.fn.extend({...})`, `Object.assign(Foo.prototype, {...})`), or a class made
by one (`const View = Backbone.View.extend({...})`). Names read as the code does:
`res.send`; a prototype method goes into its class (`Foo` with method `bar`); an exported
name is bare (`exports.x` is `x`). Bodies are not walked, except an IIFE or UMD wrapper's,
whose statements are the file's in all but name, and a function's own statements for what
it assigns to `this`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from codequery.records import ClassInfo, Function

if TYPE_CHECKING:
    from tree_sitter import Node

    from codequery.documenters.treesitter import _Outliner as _Base
else:
    _Base = object

FUNCTION_VALUES = frozenset(
    {"arrow_function", "function_expression", "function", "generator_function"})
_NODE_BUILTINS = frozenset({
    "assert", "buffer", "child_process", "cluster", "crypto", "dgram", "dns", "events", "fs",
    "http", "http2", "https", "net", "os", "path", "perf_hooks", "process", "querystring",
    "readline", "stream", "string_decoder", "timers", "tls", "tty", "url", "util", "v8", "vm",
    "worker_threads", "zlib"})
_FUNCTION_DECLARATIONS = frozenset({"function_declaration", "generator_function_declaration"})
_EXPORTS = ("module.exports", "exports")
# what makes a class of the object literal it is given: `Backbone.View.extend({...})`,
# `React.createClass({...})`, `defineComponent({...})`
_CLASS_MAKERS = frozenset({"extend", "createClass", "defineComponent"})
# what mixes an object literal's methods into another: `jQuery.fn.extend({...})`,
# `Object.assign(Foo.prototype, {...})`, `L.Map.include({...})`; not other calls given
# an object (`$.ajax({success() {}})`: its callbacks are no one's API)
_MIXERS = frozenset({"extend", "include", "mixin", "assign", "merge", "implement",
                     "augment", "reopen", "defaults"})
_EXPORT_PREFIXES = ("module.exports.", "exports.")
_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")
_PATH = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")  # a.b.c
# `a.b["key"]`: a member named by a string, as in `wrappers[".google.protobuf.Any"] = {...}`
_KEYED = re.compile(r"^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)"
                    r"""\[\s*(["'])([^"'\\\n]+)\2\s*\]$""")
# Parentheses, and TypeScript's casts and checks around a value (`(x) as T`,
# `x satisfies T`, `x!`, `<T>x`).
_WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression",
                       "non_null_expression", "type_assertion"})


def _unwrap(node: Node | None, operators: bool = False) -> Node | None:
    """The value an expression wraps: `((<T>(a) => a) as unknown as F)` is the arrow
    function. With `operators`, `!x` and `void x` stand for x too, as they do for the
    call of an IIFE (`!function () {}()`); the value of `x = !f` is no function."""
    while node is not None:
        if operators and node.type == "unary_expression":
            node = node.child_by_field_name("argument")
        elif node.type in _WRAPPERS:
            node = next((c for c in node.named_children if not _is_type(c)), None)
        else:
            break
    return node


def _is_type(node: Node) -> bool:
    """Whether `node` is the type of a cast, or a comment in the parentheses."""
    kind = node.type
    return (kind in ("type_arguments", "type_annotation", "type_identifier",
                     "predefined_type", "comment") or kind.endswith("_type"))


def _unquote(text: str) -> str:
    """A string, include path or module path without its quotes or angle brackets."""
    return text.strip().strip("\"'`<>")


def _keyed(target: str) -> str:
    """`a["b"]` as `a.b` when the key is a name (`exports["default"]`, a prototype's
    `["then"]`); anything else as it is."""
    match = _KEYED.match(target)
    if match is None or not _NAME.match(match.group(3)):
        return target
    return f"{match.group(1)}.{match.group(3)}"


def _string(node: Node | None) -> str:
    """The text of a plain string literal node, or ""."""
    if node is None or node.type != "string":
        return ""
    fragments = [c for c in node.named_children if c.type == "string_fragment"]
    return fragments[0].text.decode("utf-8", "replace") if len(fragments) == 1 else ""


# The name an anonymous `export default` function is outlined under, until the documenter,
# which knows the file's path, names it after the module; no language can define it, so a
# real function called `default` (Python's JSON encoders) keeps its name.
DEFAULT_EXPORT = "<default>"


class JavaScriptOutliner(_Base):
    """The JavaScript and TypeScript part of the tree-sitter outliner."""

    def _visit_js(self, node: Node, anchor: Node, depth: int) -> None:
        kind = node.type
        if kind == "import_statement":
            self._js_import(_unquote(self.field(node, "source")))
        elif kind == "export_statement":
            self._visit_export(node, depth)
        elif kind in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                if decl.type == "variable_declarator":
                    self._js_declarator(decl, anchor)
        elif kind == "expression_statement" and node.named_children:
            self._js_statement(node.named_children[0], anchor, depth)
        else:
            self._definition(node, anchor)
            if kind in _FUNCTION_DECLARATIONS:
                self._this_methods(self.field(node, "name"), node)

    def _assigned(self, value: Node | None) -> tuple[list[str], Node | None]:
        """The targets and the value of `a = b = value`."""
        targets: list[str] = []
        while value is not None and value.type == "assignment_expression":
            targets.append(_keyed(self.field(value, "left")))
            value = value.child_by_field_name("right")
        return targets, _unwrap(value)

    def _js_declarator(self, decl: Node, anchor: Node) -> None:
        targets, value = self._assigned(decl.child_by_field_name("value"))
        self._commonjs_exports(targets, value)
        if required := self._required(value):
            self._js_import(required)
        elif value is not None:
            self._js_value([self.field(decl, "name"), *targets], value, anchor, decl)

    def _js_statement(self, expr: Node, anchor: Node, depth: int) -> None:
        if expr.type == "internal_module":  # `namespace X {}` parses as an expression
            self.visit(expr, anchor, depth)
        elif required := self._required(expr):
            self._js_import(required)
        elif expr.type == "assignment_expression" and not self._in_namespace(expr):
            targets, value = self._assigned(expr)
            self._commonjs_exports(targets, value)
            if value is not None:
                self._js_value(targets, value, anchor, expr)
        elif ((call := _unwrap(expr, operators=True)) is not None
              and call.type == "call_expression"):
            self._js_call(call, anchor, depth)

    def _js_value(self, targets: list[str], value: Node, anchor: Node, start: Node) -> None:
        """What `targets = value` defines, when value is a function, class or object."""
        # `const proto = module.exports = {...}`: what it defines is the module's.
        target = next((t for t in targets if t in _EXPORTS), targets[0])
        if not _PATH.match(target):
            if _KEYED.match(target):  # a member whose key is no name: `a[".b c"]`
                self._keyed_value(target, value, anchor, start)
            return  # `a[k] = ...`, destructuring: no name to give
        owner, _, member = target.rpartition(".prototype.")
        if value.type in FUNCTION_VALUES:
            if owner and _NAME.match(member):
                self._prototype_class(owner, start).methods.append(
                    self._js_function(member, value, anchor, start))
            else:
                own = self.field(value, "name")
                name = (own or "module.exports") if target in _EXPORTS else self._js_name(target)
                self.functions.append(self._js_function(name, value, anchor, start))
                if value.type != "arrow_function":  # an arrow's `this` is its maker's
                    self._this_methods(name, value)
                if target in _EXPORTS:
                    self._module_function(value)
        elif value.type == "class":
            name = self.field(value, "name") or self._js_name(target)
            self._add_class(value, anchor, name=name)
        elif value.type == "call_expression" and (made := self._made_class(value)):
            base, members = made
            info = self._class(self._js_name(target), start, anchor)
            info.bases += [base] if base else []
            info.methods += members
        elif value.type == "object":
            if target.endswith(".prototype"):
                owner = target.removesuffix(".prototype")
                info = self._prototype_class(owner, start)
                info.methods += self._js_object(value, "")
            elif target in _EXPORTS:
                self.functions += self._js_object(value, "")
            else:
                self.functions += self._js_object(value, self._js_name(target) + ".")

    def _module_function(self, function: Node) -> None:
        """The statements of a function the module exports whole (`module.exports =
        function (Promise) { Promise.prototype.cancel = ...; function settle() {} }`), as
        a wrapper's are (see _js_call): bluebird's src/*.js each define their API in one,
        and were outlined as `module.exports` alone."""
        body = function.child_by_field_name("body")
        if body is None or body.type != "statement_block":
            return
        for child in body.named_children:
            self.visit(child, child, 1)

    def _keyed_value(self, target: str, value: Node, anchor: Node, start: Node) -> None:
        """`a["x.y"] = function` or `= {...}`: named as written (a["x.y"]), its words
        searchable as the key's."""
        if value.type in FUNCTION_VALUES:
            self.functions.append(self._js_function(target, value, anchor, start))
        elif value.type == "object":
            self.functions += self._js_object(value, target + ".")

    def _this_methods(self, owner: str, function: Node) -> None:
        """The methods a constructor function gives each object it makes, in its own
        statements (`function Karma() { this.result = function (r) {...} }`): the class
        `owner`'s, as a prototype's are (see finish_js). Nested blocks are not walked."""
        body = function.child_by_field_name("body")
        if not _NAME.match(owner) or body is None or body.type != "statement_block":
            return
        for statement in body.named_children:
            if statement.type != "expression_statement" or not statement.named_children:
                continue
            targets, value = self._assigned(statement.named_children[0])
            if value is None or value.type not in FUNCTION_VALUES:
                continue
            # named by its first target, as a property assignment is
            member = targets[0].removeprefix("this.")
            if member == targets[0] or not _NAME.match(member):
                continue
            self._prototype_class(owner, function).methods.append(
                self._js_function(member, value, statement, statement))

    def _js_name(self, target: str) -> str:
        for prefix in _EXPORT_PREFIXES:
            if target.startswith(prefix):
                return target[len(prefix):]
        return target

    def _js_function(self, name: str, value: Node, anchor: Node, start: Node) -> Function:
        return Function(name=name, signature=self._signature(value, start=start),
                        summary=self._summary(anchor), line=start.start_point.row + 1)

    def _prototype_class(self, owner: str, node: Node) -> ClassInfo:
        info = self._class(owner, node, node, defines=False)
        # the file's own constructor, however it was assigned (`const X = (module.exports
        # = function ...)`): read as not declared here, node-postgres's copy-stream.js
        # lost its CopyStream and came second for "how is COPY data streamed"
        info.defined = True
        self.prototype_classes.add(owner)
        return info

    def _js_object(self, obj: Node, prefix: str) -> list[Function]:
        """Methods, getters and function-valued properties of an object literal; a getter
        and its setter are one property."""
        found: list[Function] = []
        for child in obj.named_children:
            function: Function | None = None
            if child.type == "method_definition":
                function = self._function(child)
            elif child.type == "pair" and (
                    (value := child.child_by_field_name("value")) is not None
                    and value.type in FUNCTION_VALUES):
                key = _unquote(self.field(child, "key"))
                function = self._js_function(key, value, child, child) if key else None
            if function is not None:
                found.append(function.model_copy(update={"name": prefix + function.name}))
        return self._merge_by_name(found)

    def _js_call(self, call: Node, anchor: Node, depth: int) -> None:
        callee = _unwrap(call.child_by_field_name("function"), operators=True)
        if callee is not None and callee.type == "member_expression" and self.field(
                callee, "property") in ("call", "apply"):
            # (function(){}).call(this)
            callee = _unwrap(callee.child_by_field_name("object"), operators=True)
        args = call.child_by_field_name("arguments")
        values = args.named_children if args is not None else []
        if callee is not None and callee.type in FUNCTION_VALUES:
            # An IIFE, or a UMD wrapper whose factory is an argument: their statements
            # are the file's.
            factories = [f for v in values
                         if (f := _unwrap(v, operators=True)) and f.type in FUNCTION_VALUES]
            for function in [callee, *factories]:
                body = function.child_by_field_name("body")
                for child in body.named_children if body is not None else ():
                    self.visit(child, child, depth + 1)
            return
        # defineGetter(obj, 'name', function () {}), Object.defineProperty(obj, 'name', {get})
        name = _string(values[1]) if len(values) >= 3 else ""
        if _NAME.match(name) and values[0].type in ("identifier", "member_expression", "this"):
            self._defined_property(values[0], name, values[2], anchor, call)
        elif values:
            self._mixin(callee, values)

    def _defined_property(self, target: Node, name: str, value: Node | None, anchor: Node,
                          call: Node) -> None:
        if value is not None and value.type == "object":
            value = self._descriptor_function(value)
        if value is None or value.type not in (*FUNCTION_VALUES, "method_definition"):
            return
        owner = self.text(target)
        exported = owner in _EXPORTS
        full = name if exported else f"{owner}.{name}"
        self.functions.append(self._js_function(full, value, anchor, call))
        self.exports += [name] if exported else []

    def _mixin(self, callee: Node | None, values: list[Node]) -> None:
        """The methods of the object literals a call is given, as the object's they are
        mixed into: the first argument's (`Object.assign(Foo.prototype, {...})`,
        `_.extend(target, {...})`), else the callee's (`jQuery.fn.extend({...})`,
        `Map.include({...})`); with neither (`mixin({...})`), or from a call that mixes
        nothing in (see _MIXERS), they are not the file's API."""
        objects = [o for v in values if (o := _unwrap(v)) is not None and o.type == "object"]
        member = callee is not None and callee.type == "member_expression"
        maker = (self.field(callee, "property") if member
                 else self.text(callee) if callee is not None else "")
        if not objects or maker not in _MIXERS:
            return
        first = _unwrap(values[0])
        if first is not None and first.type != "object":
            owner = self.text(first) if first.type in ("identifier", "member_expression") else ""
        elif member:
            owner = self.field(callee, "object")
        else:
            return
        if not _PATH.match(owner):
            return
        if owner.endswith(".prototype"):
            info = self._prototype_class(owner.removesuffix(".prototype"), values[0])
            for obj in objects:
                info.methods += self._js_object(obj, "")
            return
        prefix = "" if owner in _EXPORTS else f"{self._js_name(owner)}."
        for obj in objects:
            self.functions += self._js_object(obj, prefix)

    def _made_class(self, call: Node) -> tuple[str, list[Function]] | None:
        """The base and methods of a class made by a call (`Base.extend({...})`, see
        _CLASS_MAKERS), or None."""
        callee = _unwrap(call.child_by_field_name("function"))
        if callee is None:
            return None
        member = callee.type == "member_expression"
        maker = self.field(callee, "property") if member else self.text(callee)
        args = call.child_by_field_name("arguments")
        objects = [o for v in (args.named_children if args is not None else ())
                   if (o := _unwrap(v)) is not None and o.type == "object"]
        if maker not in _CLASS_MAKERS or not objects:
            return None
        base = self.field(callee, "object") if member and maker == "extend" else ""
        return base, [m for obj in objects for m in self._js_object(obj, "")]

    def _descriptor_function(self, descriptor: Node) -> Node | None:
        """The getter (or function value) of a property descriptor `{get() {...}}`."""
        for prop in descriptor.named_children:
            if prop.type == "method_definition" and self.field(prop, "name") in ("get", "value"):
                return prop
            if prop.type == "pair" and _unquote(self.field(prop, "key")) in ("get", "value"):
                value = prop.child_by_field_name("value")
                if value is not None and value.type in FUNCTION_VALUES:
                    return value
        return None

    def _visit_export(self, node: Node, depth: int) -> None:
        if (source := node.child_by_field_name("source")) is not None:
            self._js_import(_unquote(self.text(source)))  # a re-export needs its source
        declaration = node.child_by_field_name("declaration")
        value = _unwrap(node.child_by_field_name("value"))  # `export default (f) as F`
        names: list[str] = []
        if declaration is not None:
            self.visit(declaration, node, depth + 1)
            declared = [d for d in declaration.named_children if d.type == "variable_declarator"]
            names = [self.field(d, "name") for d in declared or [declaration]]
        elif value is not None:
            names = [self.text(value) if value.type == "identifier" else ""]
            if value.type in FUNCTION_VALUES:  # `export default (value) => ...`: the
                # documenter names it after the module (see DEFAULT_EXPORT)
                name = self.field(value, "name") or DEFAULT_EXPORT
                self.functions.append(self._js_function(name, value, node, node))
        for clause in (c for c in node.named_children if c.type == "export_clause"):
            names += [self.field(s, "alias") or self.field(s, "name")
                      for s in clause.named_children]
        if not self._in_namespace(node):
            default = self._has(node, "default", "default")
            self.exports += [n for n in names if n] or (["default"] if default else [])

    def _in_namespace(self, node: Node) -> bool:
        """Whether `node` sits in a TS namespace/module, whose exports are not the file's."""
        parent = node.parent
        while parent is not None and parent.type not in ("internal_module", "module"):
            parent = parent.parent
        return parent is not None

    def _commonjs_exports(self, targets: list[str], right: Node | None) -> None:
        for target in targets:
            if target.startswith(_EXPORT_PREFIXES):  # `exports.a.b = ...` exports a
                self.exports.append(self._js_name(target).split(".")[0])
            elif target in _EXPORTS and right is not None and right.type == "object":
                self.exports += [self.field(p, "key") if p.type == "pair"
                                 else self.field(p, "name") if p.type == "method_definition"
                                 else self.text(p)
                                 for p in right.named_children
                                 if p.type in ("pair", "method_definition",
                                               "shorthand_property_identifier")]
            elif target in _EXPORTS and right is not None:
                self.exports.append(self.text(right) if right.type == "identifier"
                                    else self.field(right, "name") or "default")

    def _js_import(self, spec: str) -> None:
        package = ""
        if spec and not spec.startswith((".", "/")) and ":" not in spec:  # no node:, URLs
            parts = spec.split("/")
            package = "/".join(parts[:2]) if spec.startswith("@") else parts[0]
        self._import(spec, "" if package in _NODE_BUILTINS else package)

    def _required(self, value: Node | None) -> str:
        """'x' for `require('x')`, also as in `require('x').y`; else ""."""
        if value is not None and value.type == "member_expression":
            value = value.child_by_field_name("object")
        if value is None or value.type != "call_expression":
            return ""
        callee = value.child_by_field_name("function")
        # Only a bare identifier can be `require`; checking that first avoids decoding IIFEs.
        if callee is None or callee.type != "identifier" or self.text(callee) != "require":
            return ""
        args = value.child_by_field_name("arguments")
        return _string(args.named_children[0]) if args is not None and args.named_children else ""

    def _js_preamble(self, node: Node) -> bool:
        """'use strict', imports and requires: what may stand between a file's opening
        comment and its first definition."""
        if node.type == "import_statement":
            return True
        if node.type == "expression_statement" and node.named_children:
            first = node.named_children[0]
            return first.type == "string" or bool(self._required(first))
        if node.type in ("lexical_declaration", "variable_declaration"):
            # also a name for the module's exports: `var wrappers = exports;`
            values = [d.child_by_field_name("value") for d in node.named_children
                      if d.type == "variable_declarator"]
            return bool(values) and all(
                self._required(v) or (v is not None and self.text(v) in _EXPORTS)
                for v in values)
        return False

    def finish_js(self) -> None:
        """A prototype's constructor function is its class's constructor, as in a `class`
        (nothing to do in other languages: they record no prototype classes)."""
        owners = {name: self.classes[name] for name in self.prototype_classes}
        kept: list[Function] = []
        for function in self.functions:
            info = owners.pop(function.name, None)
            if info is None:
                kept.append(function)
                continue
            info.line = function.line
            info.summary = info.summary or function.summary
            info.methods.insert(0, function.model_copy(update={"name": "constructor"}))
        for name in self.prototype_classes:  # `this.x = ...` and `X.prototype.x = ...`
            self.classes[name].methods = self._merge_by_name(self.classes[name].methods)
        self.functions = kept
