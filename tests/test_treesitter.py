"""The tree-sitter outliner against small realistic files, one per language."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from codequery import search_text
from codequery.documenters.treesitter import LANGUAGES, outline
from codequery.records import FileDoc
from tests.helpers import names, outline_source


def test_javascript() -> None:
    doc = outline_source("javascript", """
        #!/usr/bin/env node
        // Tiny HTTP helpers for the CLI.
        'use strict';
        const path = require('path');
        const { get } = require('axios');
        import chalk from 'chalk';
        import { load } from './config.js';

        /** Fetch a URL and print it. */
        export async function fetchAndPrint(url) {
          const res = await get(url);
          console.log(res.data);
        }

        export const retry = (fn, times = 3) => fn();

        export default class Client extends Base {
          request(opts) { return opts; }
          static create() { return new Client(); }
        }
        module.exports.legacy = 1;
    """)
    assert doc.overview == "Tiny HTTP helpers for the CLI."
    assert names(doc.functions) == ["fetchAndPrint", "retry"]
    assert doc.functions[0].summary == "Fetch a URL and print it."
    assert doc.functions[0].signature == "async function fetchAndPrint(url)"
    assert doc.functions[0].line == 10
    (client,) = doc.classes
    assert (client.name, client.bases) == ("Client", ["Base"])
    assert names(client.methods) == ["request", "create"]
    assert doc.imports == ["path", "axios", "chalk", "./config.js"]
    assert doc.exports == ["fetchAndPrint", "retry", "Client", "legacy"]
    assert doc.dependencies == ["axios", "chalk"]


@pytest.mark.parametrize("language", ["typescript", "javascript"])
def test_a_note_between_two_imports_is_no_overview(language: str) -> None:
    # a new user's trial: got's options.ts was "DO NOT use destructuring for
    # `https.request`...", a note on the import below it
    doc = outline_source(language, """
        import process from 'node:process';
        // DO NOT use destructuring for `https.request` as it is not compatible with nock.
        import https from 'node:https';

        export function request(url) { return https.get(url); }
    """)
    assert doc.overview == ""
    # above the imports, or apart from them, a comment is still the file's
    doc = outline_source(language, """
        import process from 'node:process';

        // Options of a request, and how they merge.
        import https from 'node:https';

        export function request(url) { return https.get(url); }
    """)
    assert doc.overview == "Options of a request, and how they merge."


def test_typescript() -> None:
    doc = outline_source("typescript", """
        /**
         * Repository for user records.
         */
        import type { Pool } from "pg";
        import { z } from "@acme/schema/v2";
        export * from "./types";

        /** A stored user. */
        export interface User extends Entity {
          id: string;
          rename(name: string): void;
        }
        export type UserId = string;
        export enum Role { Admin, Member }

        @injectable()
        export class UserRepo implements Repo<User> {
          constructor(private pool: Pool) {}
          /** Find one user by id. */
          async find(id: UserId): Promise<User | undefined> { return undefined; }
        }

        function internal(): void {}
        export { internal as helper };
    """)
    assert doc.overview == "Repository for user records."
    assert names(doc.classes) == ["User", "UserId", "Role", "UserRepo"]
    user, _, _, repo = doc.classes
    assert (user.summary, user.bases) == ("A stored user.", ["Entity"])
    assert names(user.methods) == ["rename"]
    assert repo.bases == ["Repo<User>"]
    assert names(repo.methods) == ["constructor", "find"]
    assert repo.methods[1].summary == "Find one user by id."
    assert repo.methods[1].signature == "async find(id: UserId): Promise<User | undefined>"
    assert names(doc.functions) == ["internal"]
    assert doc.imports == ["pg", "@acme/schema/v2", "./types"]
    assert doc.exports == ["User", "UserId", "Role", "UserRepo", "helper"]
    assert doc.dependencies == ["pg", "@acme/schema"]


def test_tsx() -> None:
    doc = outline_source("tsx", """
        import React, { useState } from 'react';

        // A counter button.
        export default function Counter({ start }: { start: number }) {
          const [n, setN] = useState(start);
          return <button onClick={() => setN(n + 1)}>{n}</button>;
        }
        export const Label = ({ text }: Props) => <span>{text}</span>;
    """)
    assert names(doc.functions) == ["Counter", "Label"]
    assert doc.functions[0].summary == "A counter button."
    assert doc.imports == ["react"] and doc.dependencies == ["react"]
    assert doc.exports == ["Counter", "Label"]


def test_go() -> None:
    doc = outline_source("go", """
        // Copyright 2024 The Authors. All rights reserved.

        // Package store keeps records on disk.
        package store

        import (
            "fmt"
            "golang.org/x/sync/errgroup"
            log "github.com/sirupsen/logrus/hooks"
        )

        // Store is a directory of records.
        type Store struct {
            sync.Mutex
            dir string
        }

        type Reader interface {
            io.Closer
            Read(key string) ([]byte, error)
        }

        // Open opens the store at dir.
        func Open(dir string) (*Store, error) { return &Store{dir: dir}, nil }

        // Put writes one record.
        func (s *Store) Put(key string, value []byte) error { return nil }

        func helper() {}

        const Version = "1"
    """)
    assert doc.overview == "Package store keeps records on disk."
    assert names(doc.functions) == ["Open", "helper"]
    assert doc.functions[0].signature == "func Open(dir string) (*Store, error)"
    store, reader = doc.classes
    assert (store.name, store.bases) == ("Store", ["sync.Mutex"])
    assert store.summary == "Store is a directory of records."
    assert names(store.methods) == ["Put"] and store.methods[0].summary == "Put writes one record."
    assert (reader.name, reader.bases) == ("Reader", ["io.Closer"])
    assert names(reader.methods) == ["Read"]
    assert doc.imports == ["fmt", "golang.org/x/sync/errgroup", "github.com/sirupsen/logrus/hooks"]
    assert doc.dependencies == ["golang.org/x/sync", "github.com/sirupsen/logrus"]
    assert doc.exports == ["Store", "Reader", "Open", "Version"]


def test_rust() -> None:
    doc = outline_source("rust", """
        //! Geometry primitives.
        use std::fmt;
        use serde::{Deserialize, Serialize};
        use crate::units::Meters;

        /// A point in the plane.
        #[derive(Debug, Serialize)]
        pub struct Point { x: f64, y: f64 }

        pub trait Shape: fmt::Debug {
            fn area(&self) -> f64;
        }

        impl Point {
            /// The origin.
            pub fn origin() -> Self { Point { x: 0.0, y: 0.0 } }
        }

        impl fmt::Display for Point {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) }
        }

        /// Distance between two points.
        pub fn distance(a: &Point, b: &Point) -> f64 { 0.0 }
        fn private_helper() {}
        pub(crate) fn crate_only() {}
    """)
    assert doc.overview == "Geometry primitives."
    point, shape = doc.classes
    assert (point.name, point.bases) == ("Point", ["fmt::Display"])
    assert point.summary == "A point in the plane."
    assert names(point.methods) == ["origin", "fmt"]
    assert point.methods[0].summary == "The origin."
    assert (shape.name, shape.bases, names(shape.methods)) == ("Shape", ["fmt::Debug"], ["area"])
    assert names(doc.functions) == ["distance", "private_helper", "crate_only"]
    assert doc.functions[0].signature == "pub fn distance(a: &Point, b: &Point) -> f64"
    assert doc.imports == ["std::fmt", "serde::{Deserialize, Serialize}", "crate::units::Meters"]
    assert doc.dependencies == ["serde"]
    assert doc.exports == ["Point", "Shape", "distance"]


def test_java() -> None:
    doc = outline_source("java", """
        /*
         * Copyright (c) 2024 Example Corp. Licensed under the MIT license.
         */
        package com.example.shop;

        import java.util.List;
        import com.google.common.collect.ImmutableList;

        /** A shopping cart. */
        @Entity
        public class Cart extends BaseEntity implements Serializable, Iterable<Item> {
            /** Total price in cents. */
            @Override
            public long total() { return 0; }
            public Cart() {}
        }

        interface Priced { long price(); }
        enum Currency { EUR, USD; String symbol() { return ""; } }
    """)
    assert doc.overview == ""  # only a license header
    cart, priced, currency = doc.classes
    assert (cart.name, cart.summary) == ("Cart", "A shopping cart.")
    assert cart.bases == ["BaseEntity", "Serializable", "Iterable<Item>"]
    assert names(cart.methods) == ["total", "Cart"]
    assert cart.methods[0].signature == "public long total()"
    assert cart.methods[0].summary == "Total price in cents."
    assert names(priced.methods) == ["price"] and names(currency.methods) == ["symbol"]
    assert doc.imports == ["java.util.List", "com.google.common.collect.ImmutableList"]
    assert doc.exports == ["Cart"]
    assert doc.functions == []


def test_javadoc_and_jsdoc_inline_tags_read_as_what_they_show() -> None:
    doc = outline_source("java", """
        /** Represents a list of arguments parsed against a {@link Options} descriptor. */
        public class CommandLine {
            /** Gets a version of this {@code Option} converted to a {@link Type#of type}. */
            public Object getParsedOptionValue() { return null; }
            /** {@inheritDoc} */
            public String toString() { return ""; }
        }
    """)
    (cls,) = doc.classes
    assert cls.summary == "Represents a list of arguments parsed against a Options descriptor."
    assert [m.summary for m in cls.methods] == [
        "Gets a version of this Option converted to a type.", ""]
    doc = outline_source("typescript", """
        /** Parses with {@link Parser.parse|the parser}, see {@linkcode Options}. */
        export function parse(text: string) {}
    """)
    assert doc.functions[0].summary == "Parses with the parser, see Options."


def test_c() -> None:
    doc = outline_source("c", """
        /* ring.h - a fixed-size ring buffer. */
        #ifndef RING_H
        #define RING_H
        #include <stddef.h>
        #include "config.h"

        /* One buffer. */
        struct ring { char *data; size_t head; };
        typedef struct { int code; } ring_error;

        /* Create a ring of `size` bytes. */
        struct ring *ring_new(size_t size);
        static int ring_full(const struct ring *r) { return 0; }
        #endif
    """)
    assert doc.overview == "ring.h - a fixed-size ring buffer."
    assert names(doc.classes) == ["ring", "ring_error"]
    assert doc.classes[0].summary == "One buffer."
    assert names(doc.functions) == ["ring_new", "ring_full"]
    assert doc.functions[0].signature == "struct ring *ring_new(size_t size)"
    assert doc.functions[0].summary == "Create a ring of `size` bytes."
    assert doc.imports == ["stddef.h", "config.h"]
    assert doc.exports == ["ring_new"]


def test_cpp() -> None:
    doc = outline_source("cpp", """
        // Image loading.
        #include <memory>
        #include "image.hpp"

        namespace gfx {
        /// A decoded image.
        class Image : public Resource {
        public:
            explicit Image(int w, int h);
            /// Width in pixels.
            int width() const { return w_; }
            void resize(int w, int h);
        private:
            int w_;
        };

        template <typename T>
        T clamp(T v, T lo, T hi) { return v; }
        }

        void gfx::Image::resize(int w, int h) {}
        int main() { return 0; }
    """)
    assert doc.overview == "Image loading."
    (image,) = doc.classes
    assert (image.name, image.bases, image.summary) == ("Image", ["Resource"], "A decoded image.")
    assert names(image.methods) == ["Image", "width", "resize"]
    assert image.methods[1].summary == "Width in pixels."
    assert names(doc.functions) == ["clamp", "main"]
    assert doc.functions[0].signature == "T clamp(T v, T lo, T hi)"
    assert doc.imports == ["memory", "image.hpp"]
    assert doc.exports == ["clamp", "main"]


def test_ruby() -> None:
    doc = outline_source("ruby", """
        # frozen_string_literal: true
        # Billing helpers.
        require 'json'
        require_relative 'billing/invoice'

        module Billing
          # Sends invoices.
          class Mailer < BaseMailer
            # Deliver one invoice.
            def deliver(invoice, to:)
              send_mail(invoice.to_json, to)
            end

            def self.default
              new
            end
          end
        end

        def format_cents(cents) = format('%.2f', cents / 100.0)
    """)
    assert doc.overview == "Billing helpers."
    billing, mailer = doc.classes
    assert billing.name == "Billing" and billing.methods == []
    assert (mailer.name, mailer.bases) == ("Mailer", ["BaseMailer"])
    assert mailer.summary == "Sends invoices."
    assert names(mailer.methods) == ["deliver", "self.default"]
    assert mailer.methods[0].summary == "Deliver one invoice."
    assert mailer.methods[0].signature == "def deliver(invoice, to:)"
    assert names(doc.functions) == ["format_cents"]
    assert doc.imports == ["json", "billing/invoice"]
    assert doc.exports == [] and doc.dependencies == []


def test_shell() -> None:
    doc = outline_source("shell", """
        #!/usr/bin/env bash
        # Release script: tags and pushes.
        set -euo pipefail
        source ./lib/common.sh
        . "$HOME/.release.env"

        # Tag the current commit.
        tag_release() {
          git tag "$1"
        }

        function push_all {
          git push --tags
        }
    """)
    assert doc.overview == "Release script: tags and pushes."
    assert names(doc.functions) == ["tag_release", "push_all"]
    assert doc.functions[0].summary == "Tag the current commit."
    assert doc.functions[0].line == 8
    assert doc.imports == ["./lib/common.sh", "$HOME/.release.env"]
    assert doc.classes == [] and doc.exports == []


def test_csharp() -> None:
    doc = outline_source("csharp", """
        // Copyright (c) Acme. Licensed under the MIT license.

        // Shapes and their areas.
        using System;
        using static System.Math;
        using Json = Newtonsoft.Json;

        namespace Acme.Geometry
        {
            /// <summary>
            /// A circle with a radius.
            /// </summary>
            /// <remarks>Immutable.</remarks>
            [Serializable]
            public class Circle : Shape, IComparable<Circle>
            {
                /// <summary>Creates a circle.</summary>
                public Circle(double r) { R = r; }

                /// <summary>The area of the <see cref="T:Circle"/>.</summary>
                /// <returns>The area.</returns>
                [Pure]
                public override double Area() => PI * R * R;
            }

            public interface IShape { double Area(); }
            struct Point { public void Move() {} }
            public record Person(string Name);
        }
    """)
    assert doc.overview == "Shapes and their areas."
    circle, shape, point, person = doc.classes
    assert (circle.name, circle.line, circle.summary) == ("Circle", 14, "A circle with a radius.")
    assert circle.bases == ["Shape", "IComparable<Circle>"]
    assert [(m.name, m.line, m.summary) for m in circle.methods] == [
        ("Circle", 18, "Creates a circle."), ("Area", 22, "The area of the Circle.")]
    assert circle.methods[1].signature == "public override double Area()"
    assert (shape.name, shape.line, names(shape.methods)) == ("IShape", 26, ["Area"])
    assert (point.name, names(point.methods)) == ("Point", ["Move"])
    assert person.name == "Person"
    assert doc.imports == ["System", "System.Math", "Newtonsoft.Json"]
    assert doc.exports == ["Circle", "IShape", "Person"]
    assert doc.functions == []


def test_csharp_file_scoped_namespace() -> None:
    doc = outline_source("csharp", """
        namespace Acme.Text;

        // String helpers for templates.

        /// <summary>Static helpers.</summary>
        public static class Helpers
        {
            /// Doubles <paramref name="x"/>.
            public static int Twice(int x) => 2 * x;
        }
    """)
    assert doc.overview == "String helpers for templates."
    (helpers,) = doc.classes
    assert (helpers.name, helpers.line, helpers.summary) == ("Helpers", 6, "Static helpers.")
    assert [(m.name, m.line, m.summary) for m in helpers.methods] == [("Twice", 9, "Doubles x.")]


def test_php() -> None:
    doc = outline_source("php", """
        <?php
        /*
         * This file is part of Acme. For the full copyright and license information,
         * please view the LICENSE file.
         */

        declare(strict_types=1);

        namespace Acme\\Http;

        use Psr\\Http\\Message\\RequestInterface;
        use GuzzleHttp\\{Client, Pool as P};

        /**
         * Sends requests. Retries on failure.
         *
         * @final
         */
        final class Sender extends Base implements SenderInterface
        {
            use Logs;

            /**
             * @param int $tries
             */
            public function __construct(private int $tries = 3) {}

            /**
             * Send one request.
             *
             * @return Response
             */
            #[Pure]
            public function send(RequestInterface $request): Response
            {
                return $this->client->send($request);
            }
        }

        /** Logging for senders. */
        trait Logs { public function log(string $m): void {} }

        /** Build a sender. */
        function sender(): Sender { return new Sender(); }
    """)
    assert doc.overview == ""  # only a licence header
    sender, logs = doc.classes
    assert (sender.name, sender.line, sender.summary) == ("Sender", 19, "Sends requests.")
    assert sender.bases == ["Base", "SenderInterface"]
    assert [(m.name, m.line, m.summary) for m in sender.methods] == [
        ("__construct", 26, ""), ("send", 33, "Send one request.")]
    assert sender.methods[1].signature == (
        "public function send(RequestInterface $request): Response")
    assert (logs.name, logs.line, logs.summary) == ("Logs", 41, "Logging for senders.")
    assert names(logs.methods) == ["log"]
    assert [(f.name, f.line, f.summary) for f in doc.functions] == [
        ("sender", 44, "Build a sender.")]
    assert doc.imports == [
        "Psr\\Http\\Message\\RequestInterface", "GuzzleHttp\\Client", "GuzzleHttp\\Pool"]


def test_php_braced_namespaces_and_overview_after_the_namespace() -> None:
    doc = outline_source("php", """
        <?php
        namespace Acme;

        // Helpers for views.

        function e(string $s): string { return $s; }
    """)
    assert doc.overview == "Helpers for views."
    assert [(f.name, f.summary) for f in doc.functions] == [("e", "")]
    doc = outline_source("php", "<?php\nnamespace A {\n    # A widget.\n    class W {}\n}\n")
    assert [(c.name, c.line, c.summary) for c in doc.classes] == [("W", 4, "A widget.")]


def test_kotlin() -> None:
    doc = outline_source("kotlin", """
        /*
         * Copyright 2024 Acme. Use of this source code is governed by the Apache 2.0 license.
         */

        // Shapes and their areas.
        @file:JvmName("Shapes")

        package com.acme.geo

        import kotlin.math.PI
        import com.acme.util.*
        import com.acme.json.Json as J

        /**
         * A circle with a [radius][r].
         *
         * @property r the radius
         */
        @Serializable
        data class Circle(val r: Double) : Shape(), Comparable<Circle> {
            /** A unit circle. */
            constructor() : this(1.0)

            init {
                require(r >= 0)
            }

            /** The area of this [Circle]. Always positive. */
            @Deprecated("Use area", ReplaceWith("area()"))
            override fun area(): Double = PI * r * r

            companion object {
                /** Makes a circle of radius [r]. */
                fun of(r: Double) = Circle(r)
            }
        }

        interface Shape {
            fun area(): Double
        }

        /** The shapes drawn so far. */
        object Registry {
            fun register(shape: Shape) {}
        }

        internal enum class Color {
            RED, GREEN;

            fun hex(): String = name
        }

        /** Shapes by name. */
        typealias Shapes = Map<String, Shape>

        /**
         * The second element.
         *
         * @throws IndexOutOfBoundsException when there is none
         */
        @Suppress("UNCHECKED_CAST")
        public fun <T> List<T>.second(): T = this[1]

        private suspend fun load(): Int {
            return 1
        }
    """)
    assert doc.overview == "Shapes and their areas."
    circle, shape, registry, color, shapes = doc.classes
    assert (circle.name, circle.line, circle.summary) == ("Circle", 19, "A circle with a radius.")
    assert circle.bases == ["Shape", "Comparable<Circle>"]
    assert [(m.name, m.line, m.summary) for m in circle.methods] == [
        ("constructor", 22, "A unit circle."), ("area", 29, "The area of this Circle."),
        ("of", 34, "Makes a circle of radius r.")]  # a companion's functions are the class's
    assert circle.methods[1].signature == "override fun area(): Double"
    assert (shape.name, shape.line, names(shape.methods)) == ("Shape", 38, ["area"])
    assert (registry.name, registry.summary, names(registry.methods)) == (
        "Registry", "The shapes drawn so far.", ["register"])
    assert (color.name, names(color.methods)) == ("Color", ["hex"])
    assert (shapes.name, shapes.line, shapes.summary) == ("Shapes", 54, "Shapes by name.")
    assert [(f.name, f.line, f.summary) for f in doc.functions] == [
        ("second", 61, "The second element."), ("load", 64, "")]
    assert doc.functions[0].signature == "public fun <T> List<T>.second(): T"
    assert doc.imports == ["kotlin.math.PI", "com.acme.util.*", "com.acme.json.Json"]
    assert doc.exports == ["Circle", "Shape", "Registry", "Shapes", "second"]  # not internal
    assert doc.notes == []


def test_kotlin_delegation_and_a_named_companion() -> None:
    doc = outline_source("kotlin", """
        package com.acme.views

        // Read-only views.

        /** A list that logs reads. */
        class Logged<T>(private val items: List<T>) : List<T> by items, java.io.Serializable {
            companion object Factory {
                /** A logged list of [xs]. */
                fun <T> of(vararg xs: T) = Logged(xs.toList())
            }
        }
    """)
    assert doc.overview == "Read-only views."
    (logged,) = doc.classes
    assert (logged.name, logged.line, logged.summary) == ("Logged", 6, "A list that logs reads.")
    assert logged.bases == ["List<T>", "java.io.Serializable"]
    assert [(m.name, m.line, m.summary) for m in logged.methods] == [
        ("of", 9, "A logged list of xs.")]


def test_kotlin_doc_above_an_annotation_the_grammar_reads_as_an_expression() -> None:
    # tree-sitter-kotlin parses the first `@Suppress(...)` as an expression of its own.
    doc = outline_source("kotlin", """
        /** Casts one. */
        @Suppress("UNCHECKED_CAST")
        public fun <T : B> T.cast(x: Int) {}

        /** Casts two. */
        @Suppress("UNCHECKED_CAST")
        public fun cast2(x: Int) {}
    """)
    assert [(f.name, f.summary) for f in doc.functions] == [
        ("cast", "Casts one."), ("cast2", "Casts two.")]

def test_swift() -> None:
    doc = outline_source("swift", """
        //
        //  Session.swift
        //
        //  Copyright (c) 2024 Acme Software Foundation
        //

        // Sessions that make and track requests.

        import Foundation
        @testable import Networking
        import struct Darwin.size_t

        /// A session that makes requests.
        ///
        /// - Note: Safe to share between threads.
        @available(macOS 10.15, *)
        open class Session: NSObject, @unchecked Sendable {
            /// Creates a session.
            public init(configuration: URLSessionConfiguration = .default) {
                super.init()
            }

            /**
             Sends one request. It is resumed at once.
             - Returns: The request.
             */
            @discardableResult
            open func request(_ url: URL) -> Request {
                Request()
            }

            deinit {}
        }

        public protocol Requestable: AnyObject {
            /// Makes the request.
            func asRequest() throws -> Request
            /// - Parameter url: The URL to request.
            init(url: URL)
        }

        // MARK: - Points

        /// A point in the plane.
        struct Point: Equatable {
            var x, y: Double

            mutating func move(by d: Double) {
                x += d
            }
        }

        /// HTTP methods.
        public enum Method: String {
            case get, post

            func describe() -> String { rawValue }
        }

        /// Making strings into URLs.
        extension String: URLConvertible {
            public func asURL() throws -> URL { URL(string: self)! }
        }

        /// Not the point's own doc.
        extension Point: CustomStringConvertible {
            var description: String { "(\\(x), \\(y))" }
            func moved() -> Point { self }
        }

        /// Downloads one value.
        public func download<T: Decodable>(_ url: URL, as type: T.Type = T.self) async throws -> T {
            fatalError()
        }
    """)
    assert doc.overview == "Sessions that make and track requests."
    session, requestable, point, method, string = doc.classes
    assert (session.name, session.line, session.summary) == (
        "Session", 16, "A session that makes requests.")
    assert session.bases == ["NSObject", "Sendable"]
    assert [(m.name, m.line, m.summary) for m in session.methods] == [
        ("init", 19, "Creates a session."), ("request", 27, "Sends one request.")]
    assert session.methods[1].signature == "open func request(_ url: URL) -> Request"
    assert (requestable.name, requestable.line, requestable.bases) == (
        "Requestable", 35, ["AnyObject"])
    assert [(m.name, m.summary) for m in requestable.methods] == [
        ("asRequest", "Makes the request."), ("init", "")]  # a callout is not a summary
    # An extension adds to the type it extends, whose own line and doc stand.
    assert (point.name, point.line, point.summary) == ("Point", 45, "A point in the plane.")
    assert point.bases == ["Equatable", "CustomStringConvertible"]
    assert [(m.name, m.line) for m in point.methods] == [("move", 48), ("moved", 68)]
    assert (method.name, names(method.methods)) == ("Method", ["describe"])
    assert (string.name, string.line, string.summary) == (
        "String", 61, "Making strings into URLs.")
    assert (string.bases, names(string.methods)) == (["URLConvertible"], ["asURL"])
    assert [(f.name, f.line, f.summary) for f in doc.functions] == [
        ("download", 72, "Downloads one value.")]
    assert doc.imports == ["Foundation", "Networking", "Darwin.size_t"]
    assert doc.exports == ["Session", "Requestable", "Method", "download"]
    assert doc.notes == []


def test_swift_extensions_of_a_type_defined_elsewhere_are_one_class() -> None:
    doc = outline_source("swift", """
        /// Sums of integer arrays.
        extension Array where Element == Int {
            func sum() -> Int { reduce(0, +) }
        }

        /// Equality.
        public extension Array {
            static func == (lhs: Self, rhs: Self) -> Bool { true }
        }
    """)
    assert doc.overview == ""
    assert [(c.name, c.line, c.summary, names(c.methods)) for c in doc.classes] == [
        ("Array", 2, "Sums of integer arrays.", ["sum", "=="])]
    assert doc.exports == []


def test_syntax_errors_give_a_best_effort_outline() -> None:
    doc = outline_source("javascript", """
        function ok(a) { return a; }
        function broken( { ;;;
        class Fine { m() {} }
    """)
    assert "ok" in names(doc.functions)
    assert doc.notes == [search_text.SYNTAX_ERRORS_NOTE]  # the outline may be incomplete


UMD = """\
//! moment.js
;(function (global, factory) {
    typeof exports === 'object' && typeof module !== 'undefined' ? module.exports = factory() :
    typeof define === 'function' && define.amd ? define(factory) :
    global.moment = factory()
}(this, (function () { 'use strict';
"""


def test_a_large_umd_file_is_a_bundle_and_a_small_one_is_code() -> None:
    body = "".join(f"    function unit{i}(x) {{ return x + {i}; }}\n" for i in range(1000))
    bundle = outline("javascript", (UMD + body + "})));\n").encode())
    assert bundle is not None and search_text.BUNDLE_NOTE in bundle.notes
    assert "unit7" in names(bundle.functions)  # outlined all the same
    small = outline("javascript", (UMD + body[:2000] + "})));\n").encode())
    assert small is not None and small.notes == []
    plain = outline("javascript", body.encode())  # as long, without the wrapper
    assert plain is not None and plain.notes == []


GARBAGE = [
    b"",
    b"\xff\xfe\x00\x80 not utf-8 \xc3\x28",
    os.urandom(4096),
    b"{" * 20_000,
    b"(" * 20_000 + b")",
    b"namespace a {" * 2_000,
    b"module A\n" * 2_000,
    b"#ifdef X\n" * 2_000,
    b"/*",
    b"\x00" * 100,
]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_garbage_never_raises(language: str) -> None:
    for blob in GARBAGE:
        assert isinstance(outline(language, blob), FileDoc)


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    doc = outline("go", b"package p\n// Doc \xff.\nfunc F() {}\n")
    assert doc is not None
    assert [(f.name, f.summary) for f in doc.functions] == [("F", "Doc \ufffd.")]


def test_importing_the_module_loads_no_grammar() -> None:
    code = ("import sys, codequery.documenters.treesitter; "
            "print(sorted(m for m in sys.modules if m.startswith('tree_sitter')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_language_returns_none() -> None:
    assert outline("cobol", b"IDENTIFICATION DIVISION.") is None
    assert outline("python", b"def f(): pass") is None


# Doc comments: which comment belongs to a symbol.

def test_jsdoc_one_blank_line_above_documents_the_function() -> None:
    doc = outline_source("javascript", """
        var x = 1;

        /**
         * Create an express application.
         *
         * @return {Function}
         */

        function createApplication() {}
    """)
    assert doc.functions[0].summary == "Create an express application."


@pytest.mark.parametrize(("language", "source"), [
    ("javascript", "var x = 1;\n\n// Helpers\n\nfunction helper() {}\n"),
    ("javascript", "var x = 1;\n\n/** Far away. */\n\n\nfunction f() {}\n"),
    ("c", "/* Copyright 2020 Acme. All rights reserved. */\nint main(void) {}\n"),
    ("go", "package p\n\n// Section: helpers.\n\nfunc Helper() {}\n"),
], ids=["section-comment", "doc-comment-two-lines-up", "licence", "go-comment-a-line-up"])
def test_comment_that_is_not_the_symbols_doc(language: str, source: str) -> None:
    assert outline_source(language, source).functions[0].summary == ""


def test_files_opening_comment_is_not_its_first_functions_doc() -> None:
    doc = outline_source("javascript", "/**\n * String utilities.\n */\n\nfunction pad(s) {}\n")
    assert doc.overview == "String utilities."
    assert doc.functions[0].summary == ""


def test_comment_directly_above_the_first_function_is_its_doc_not_the_overview() -> None:
    source = "'use strict';\n\n/** Pad a string. */\nfunction pad(s) {}\n"
    doc = outline_source("javascript", source)
    assert doc.functions[0].summary == "Pad a string."
    assert doc.overview == ""


def test_go_doc_summary_is_the_first_sentence() -> None:
    doc = outline_source("go", """
        package p

        // Open opens the store at dir. It creates the
        // directory when it is missing.
        func Open(dir string) error { return nil }
    """)
    assert doc.functions[0].summary == "Open opens the store at dir."


def test_rust_doc_comment_across_attributes() -> None:
    doc = outline_source("rust", """
        /// Convert to a trait object.
        ///
        /// ```
        #[cfg_attr(docsrs, doc = "# fn main() {")]
        /// let x = 1;
        /// ```
        #[must_use]
        pub fn into_dyn(self) -> Box<dyn Error> { todo!() }
    """)
    assert doc.functions[0].summary == "Convert to a trait object."


def test_rust_inner_doc_overview_skips_badges_and_links() -> None:
    doc = outline_source("rust", """
        //! [![github]](https://github.com/acme/geo)
        //!
        //! [github]: https://img.shields.io/badge/github
        //!
        //! <br>
        //!
        //! Geometry for maps.
        #![no_std]
        pub fn area() -> f64 { 0.0 }
    """)
    assert doc.overview == "Geometry for maps."


def test_rust_macro_rules_is_a_function() -> None:
    doc = outline_source("rust", "/// Return early with an error.\n"
                           "macro_rules! bail {\n    ($msg:literal) => { return };\n}\n")
    (bail,) = doc.functions
    assert (bail.name, bail.signature, bail.summary) == (
        "bail", "macro_rules! bail", "Return early with an error.")


def test_javadoc_summary_skips_tags() -> None:
    doc = outline_source("java", """
        class Gson {
            /**
             * Serializes an object to JSON. Uses reflection.
             *
             * @param src the object
             */
            public String toJson(Object src) { return ""; }
        }
    """)
    assert doc.classes[0].methods[0].summary == "Serializes an object to JSON."


def test_doxygen_block_one_blank_line_above_a_c_function() -> None:
    doc = outline_source("c", "int x;\n\n/**\n * Free a ring.\n */\n\nvoid ring_free(void *r) {}\n")
    assert doc.functions[0].summary == "Free a ring."


def test_ruby_comment_block_summary_joins_lines() -> None:
    doc = outline_source("ruby", """
        class Mailer
          # Deliver one invoice to the
          # customer's address.
          def deliver; end
        end
    """)
    assert doc.classes[0].methods[0].summary == "Deliver one invoice to the customer's address."


def test_shell_functions_inside_a_brace_wrapper() -> None:
    doc = outline_source("shell", """
        { # the whole script is downloaded before it runs
        # Print a message.
        nvm_echo() {
          printf '%s\\n' "$*"
        }
        }
    """)
    assert [(f.name, f.summary, f.line) for f in doc.functions] == [
        ("nvm_echo", "Print a message.", 3)]



def test_rust_doc_comment_lines_make_one_sentence() -> None:
    # bytes' Buf::remaining: each `///` node holds its line's end
    doc = outline_source("rust", """
        //! Buffers of bytes, read
        //! and written in place.

        /// Returns the number of bytes between the current position and the end of
        /// the buffer.
        ///
        /// Always less than the capacity.
        pub fn remaining(&self) -> usize { 0 }
    """)
    assert doc.functions[0].summary == (
        "Returns the number of bytes between the current position and the end of the buffer.")
    assert doc.overview == "Buffers of bytes, read and written in place."


def test_ruby_classes_and_modules_inside_a_class_and_class_methods() -> None:
    # rack's Request holds `class << self`, Headers and Helpers (the request's API)
    doc = outline_source("ruby", """
        module Rack
          class Request
            class << self
              # Whether forwarded headers are trusted.
              def forwarded?; end
            end
            class Headers
              def fetch(key); end
            end
            module Helpers
              # The host the request was sent to.
              def host; end
              class Deep
                def deep; end
              end
            end
            def initialize(env); end
          end
          module Inner
            class Two
              def two; end
            end
          end
        end
    """)
    assert {c.name: [(m.name, m.summary) for m in c.methods] for c in doc.classes} == {
        "Rack": [],
        "Request": [("self.forwarded?", "Whether forwarded headers are trusted."),
                    ("initialize", "")],
        "Request.Headers": [("fetch", "")],
        "Request.Helpers": [("host", "The host the request was sent to.")],
        "Request.Helpers.Deep": [("deep", "")],
        "Inner": [], "Two": [("two", "")]}


@pytest.mark.parametrize("language, source, summaries", [
    # cJSON.h: the tail of the last declaration's note right above the nearest comment
    ("c", """
        /* Duplicate will create a new, identical cJSON item. */
        int cJSON_Duplicate(int item);
        /* Duplicate frees nothing: the caller releases the copy. */
        /* Recursively compare two cJSON items for equality. */
        int cJSON_Compare(int a, int b);
     """, [("cJSON_Duplicate", "Duplicate will create a new, identical cJSON item."),
           ("cJSON_Compare", "Recursively compare two cJSON items for equality.")]),
    # lz4.h: a banner above a doc comment
    ("c", """
        /****  Simple Functions ****/
        /*! Compresses srcSize bytes from src. */
        int LZ4_compress_default(const char* src);
     """, [("LZ4_compress_default", "Compresses srcSize bytes from src.")]),
    # zod: commented-out code or a section label above a JSDoc
    ("typescript", """
        // /** @deprecated Use `z.jsonString()` instead. */
        // jsonString(): this;
        /** Parses an xid. */
        export function xid(): number { return 1 }
        // ISO 8601 checks
        /** Checks a date and time. */
        export function datetime(): number { return 1 }
     """, [("xid", "Parses an xid."), ("datetime", "Checks a date and time.")]),
    # line comments right below each other stay one block
    ("c", """
        // Adds one
        // to its argument.
        int add(int x);
     """, [("add", "Adds one to its argument.")]),
])
def test_of_stacked_comments_the_nearest_block_is_the_symbol_s(
        language: str, source: str, summaries: list[tuple[str, str]]) -> None:
    doc = outline_source(language, source)
    assert [(f.name, f.summary) for f in doc.functions] == summaries


def test_shell_functions_defined_in_the_branches_of_an_if() -> None:
    # pyenv-rehash defines its helpers by the bash version
    doc = outline_source("shell", """
        # Registers a shim.
        top() { :; }
        if ((${BASH_VERSINFO[0]} > 3)); then
          # Register a shim by name.
          register_shim() { registered["$1"]=1; }
        elif [ -n "$ZSH_VERSION" ]; then
          # Register a shim under zsh.
          zsh_shim() { :; }
        else
          remove_stale_shims() { :; }
        fi
    """)
    assert [(f.name, f.summary) for f in doc.functions] == [
        ("top", "Registers a shim."), ("register_shim", "Register a shim by name."),
        ("zsh_shim", "Register a shim under zsh."), ("remove_stale_shims", "")]


def test_a_csharp_pragma_between_a_doc_comment_and_its_class() -> None:
    # npgsql's NpgsqlDataReader
    doc = outline_source("csharp", """
        namespace Npgsql;

        /// <summary>
        /// Reads a forward-only stream of rows from a data source.
        /// </summary>
        #pragma warning disable CA1010
        public sealed class NpgsqlDataReader
        #pragma warning restore CA1010
        {
        }
    """)
    assert doc.classes[0].summary == "Reads a forward-only stream of rows from a data source."


def test_scala_doc_comment_after_an_expression_bodied_def() -> None:
    # scala-parser-combinators: tree-sitter-scala ends the last def's block at the next one
    doc = outline_source("scala", """
        trait JavaTokenParsers {
          /** An integer, without sign or with a negative sign. */
          def wholeNumber: Parser[String] =
            \"\"\"-?\\d+\"\"\".r

          /** Number following one of these rules. */
          def decimalNumber: Parser[String] =
            \"\"\"(\\d+)\"\"\".r
          // A plain note.
          def plain: Int = 1
        }
    """)
    assert [(m.name, m.summary) for m in doc.classes[0].methods] == [
        ("wholeNumber", "An integer, without sign or with a negative sign."),
        ("decimalNumber", "Number following one of these rules."), ("plain", "A plain note.")]


def test_cpp_nested_classes_and_members_in_conditional_branches() -> None:
    # Crow's CookieParser::Cookie, and its app's `#ifdef CROW_ENABLE_SSL` methods
    doc = outline_source("cpp", """
        namespace crow {
        // Parses cookies.
        struct CookieParser {
            // Cookie stores key, value and attributes
            struct Cookie {
                // Dump the cookie as a header value.
                std::string dump() const { return ""; }
            };
            void before_handle(int req);
        #ifdef CROW_ENABLE_SSL
            /// Use certificate and key files for SSL
            int ssl_file(const std::string& crt);
        #else
            int no_ssl();
        #endif
        };
        }
    """)
    assert {c.name: (c.summary, [(m.name, m.summary) for m in c.methods])
            for c in doc.classes} == {
        "CookieParser": ("Parses cookies.", [
            ("before_handle", ""), ("ssl_file", "Use certificate and key files for SSL"),
            ("no_ssl", "")]),
        "CookieParser.Cookie": ("Cookie stores key, value and attributes",
                                [("dump", "Dump the cookie as a header value.")])}


@pytest.mark.parametrize("opening", [
    "#pragma once\n",  # spdlog's logger.h
    "#ifndef SPDLOG_LOGGER_H\n#define SPDLOG_LOGGER_H\n",  # leveldb's skiplist.h
])
def test_a_cpp_header_s_comment_after_pragma_once_or_inside_its_guard(opening: str) -> None:
    closing = "#endif\n" if opening.startswith("#ifndef") else ""
    doc = outline(
        "cpp", ("// Copyright(c) 2015-present, Gabi Melman & spdlog contributors.\n"
                "// Distributed under the MIT License (http://opensource.org/licenses/MIT)\n\n"
                f"{opening}\n// Thread safe logger, with a name and a log level.\n\n"
                "#include <spdlog/common.h>\n\nnamespace spdlog {\n"
                f"class logger {{ public: void log(); }};\n}}\n{closing}").encode())
    assert doc.overview == "Thread safe logger, with a name and a log level."


@pytest.mark.parametrize("source, overview", [
    # SFML: a section's label after `#pragma once` is no overview
    ("// Copyright (C) 2007 Laurent Gomila\n#pragma once\n"
     "////////////////////////////////////////\n// Headers\n"
     "////////////////////////////////////////\n#include <SFML/Graphics/Shape.hpp>\n"
     "namespace sf {\n/// \\brief Specialized shape representing a circle\n"
     "class CircleShape { public: void setRadius(float r); };\n}\n",
     ""),
    # an `#ifndef` that is no include guard, and what follows its `#endif`
    ("#ifndef _WIN32\n// Use the POSIX headers for sleeping.\n#include <unistd.h>\n#endif\n\n"
     "/* Returns the current time in milliseconds. */\nlong now_ms(void) { return 0; }\n",
     ""),
])
def test_what_is_no_header_comment(source: str, overview: str) -> None:
    # (the builtin documenter then lists what the file defines)
    assert outline("cpp", source.encode()).overview == overview


def test_overloads_keep_each_summary_and_a_prototype_its_one() -> None:
    # CLI11's StringTools.hpp
    doc = outline_source("cpp", """
        namespace CLI {
        /// Trim whitespace from left of string
        inline std::string &ltrim(std::string &str) { return str; }
        /// Trim anything from left of string
        inline std::string &ltrim(std::string &str, const std::string &filter) { return str; }
        /// Remove quotes at the front and back of a string
        std::string &remove_quotes(std::string &str);
        /// Remove quotes at the front and back of a string
        std::string &remove_quotes(std::string &str) { return str; }
        }
    """)
    assert [(f.name, f.summary) for f in doc.functions] == [
        ("ltrim", "Trim whitespace from left of string Trim anything from left of string"),
        ("remove_quotes", "Remove quotes at the front and back of a string")]


@pytest.mark.parametrize("language, source, summaries", [
    # asio: a `///` brief above its `/** */` details; rapidjson: `//!` above `/*! */`
    ("cpp", """
        /// Close the pipe.
        /**
         * This function is used to close the pipe.
         */
        void close();
        //! Writes the given double value.
        /*! \\param d The value. */
        bool Double(double d);
     """, [("close", "Close the pipe."), ("Double", "Writes the given double value.")]),
    # TinyCC's libtcc.h: a banner above a plain comment
    ("c", """
        int a;

        /******** Allocation ********/
        /* Sets a custom allocator. */
        void set_alloc(void);
        /*****************/
        /* Frees it. */
        void free_it(void);
     """, [("set_alloc", "Sets a custom allocator."), ("free_it", "Frees it.")]),
])
def test_stacked_briefs_and_banners(language: str, source: str,
                                    summaries: list[tuple[str, str]]) -> None:
    doc = outline_source(language, source)
    assert [(f.name, f.summary) for f in doc.functions] == summaries


def test_a_note_above_a_csharp_pragma_is_not_the_declaration_s_doc() -> None:
    # NodaTime's Preconditions.cs
    doc = outline_source("csharp", """
        namespace N {
            // Internal on purpose; no other constructors.
        #pragma warning disable CA1064
            /// <summary>Thrown when a debug check fails.</summary>
            internal sealed class DebugException : Exception {}
            // Disable the warning about missing XML comments
        #pragma warning disable CS1591
            public class Generated {}
        }
    """)
    assert [(c.name, c.summary) for c in doc.classes] == [
        ("DebugException", "Thrown when a debug check fails."), ("Generated", "")]


def test_a_cpp_member_returning_a_struct_pointer_is_a_method() -> None:
    # libzmq's ip_resolver.hpp
    doc = outline_source("cpp", """
        class Socket { public:
            // Returns the peer's address.
            struct sockaddr* peer() const;
            bool open(); };
    """)
    assert [(m.name, m.summary) for m in doc.classes[0].methods] == [
        ("peer", "Returns the peer's address."), ("open", "")]


def test_ruby_singleton_class_of_another_object_and_qualified_nested_names() -> None:
    doc = outline_source("ruby", """
        class Config
          class << DEFAULTS
            def reset; end
          end
          class Foo::Bar
            def x; end
          end
          module ::ReaderCommand
          end
        end
    """)
    assert {c.name: [m.name for m in c.methods] for c in doc.classes} == {
        "Config": [], "Config.Foo.Bar": ["x"], "Config.ReaderCommand": []}


@pytest.mark.parametrize("language, source, summaries", [
    # a Doxygen group marker or a TODO above a doc block is no brief
    ("cpp", """
        /// @{
        /**
         * @brief Computes the norm of the vector.
         */
        double norm(int v);
        /// TODO remove
        /**
         * Computes the other norm.
         */
        double norm2(int v);
     """, [("norm", "Computes the norm of the vector."), ("norm2", "Computes the other norm.")]),
    # curl's proxy.c: a note with no prose under a banner-style doc block
    ("c", """
        int a;

        /*****
         * Checks if the host is in the noproxy list.
         *****/
        /* @unittest 1614 */
        int proxy_check_noproxy(const char *name);
     """, [("proxy_check_noproxy", "Checks if the host is in the noproxy list.")]),
])
def test_what_is_no_brief(language: str, source: str, summaries: list[tuple[str, str]]) -> None:
    doc = outline_source(language, source)
    assert [(f.name, f.summary) for f in doc.functions] == summaries


def test_a_csharp_doc_comment_above_a_note_on_a_pragma() -> None:
    # SSH.NET's Certificate.cs
    doc = outline_source("csharp", """
        namespace N {
        /// <summary>Represents an OpenSSH certificate.</summary>
        // The xmldoc comments were lifted from the OpenSSH sources.
        #pragma warning disable SA1623
        public class Certificate {}
        }
    """)
    assert doc.classes[0].summary == "Represents an OpenSSH certificate."


@pytest.mark.parametrize("language, source, overview, summaries", [
    # libgit2's headers: an `@file` block is the overview, however short
    ("c", "/**\n * @file git2/refdb.h\n * @brief References database\n */\n"
          "int git_refdb_new(int x);\n", "References database", [("git_refdb_new", "")]),
    # text in a script without spaces is no label
    ("c", "/* \u8fd9\u4e2a\u6587\u4ef6\u5b9e\u73b0\u4e86\u54c8\u5e0c\u8868 */\n"
          "#include <a.h>\nint f(void) { return 0; }\n",
     "\u8fd9\u4e2a\u6587\u4ef6\u5b9e\u73b0\u4e86\u54c8\u5e0c\u8868", [("f", "")]),
    # a rejected label is not the first symbol's doc either
    ("rust", "//! Utilities\n\npub fn helper() {}\n", "", [("helper", "")]),
    # a guard whose `#define` follows `#pragma once`
    ("cpp", "#ifndef A_H\n#pragma once\n#define A_H\n\n// Helpers for the tool's files.\n"
            "#include <x>\nint bswap(int);\n#endif\n", "Helpers for the tool's files.",
     [("bswap", "")]),
])
def test_short_overviews(language: str, source: str, overview: str,
                         summaries: list[tuple[str, str]]) -> None:
    doc = outline(language, source.encode())
    assert (doc.overview, [(f.name, f.summary) for f in doc.functions]) == (overview, summaries)

# Overviews: the file's own comment.

def test_overview_after_licence_use_strict_and_requires() -> None:
    doc = outline_source("javascript", """
        /*!
         * express
         * MIT Licensed
         */

        'use strict';

        /**
         * Module dependencies.
         */

        var path = require('path');

        // Static file serving for the router.

        var cache = {};
    """)
    assert doc.overview == "Static file serving for the router."


def test_fileoverview_tag_is_the_overview() -> None:
    source = "/**\n * @fileoverview Date helpers.\n */\nfunction a() {}\n"
    doc = outline_source("javascript", source)
    assert doc.overview == "Date helpers."


def test_go_package_doc_after_a_licence_block_comment() -> None:
    doc = outline_source("go", """
        /*
        Copyright 2013 The Authors. Licensed under the Apache License.
        */

        // Package cobra is a commander for CLIs.
        package cobra
    """)
    assert doc.overview == "Package cobra is a commander for CLIs."


def test_a_comment_right_below_a_licence_block_comment_is_the_overview() -> None:
    # curl: every file opens with its licence, and the file's own comment follows at once
    doc = outline_source("c", """
        /***************************************************************************
         * Copyright (C) Daniel Stenberg, <daniel@haxx.se>, et al.
         * This software is licensed as described in the file COPYING.
         * SPDX-License-Identifier: curl
         ***************************************************************************/
        /*
         * The Strict-Transport-Security header is defined in RFC 6797.
         */
        #include "curl_setup.h"

        static int hsts_check(void) { return 0; }
    """)
    assert doc.overview == "The Strict-Transport-Security header is defined in RFC 6797."
    assert doc.functions[0].summary == ""


def test_version_control_keywords_and_lint_switches_are_not_the_overview() -> None:
    # tmux: every file opens with `/* $OpenBSD: name.c,v ... $ */`, then its licence
    doc = outline_source("c", """
        /* $OpenBSD: names.c,v 1.48 2026/06/29 18:17:28 nicm Exp $ */

        /*
         * Copyright (c) 2009 Nicholas Marriott <nicholas.marriott@gmail.com>
         */

        /* Renames windows after the command running in their active pane. */

        // NOLINTBEGIN(readability-make-member-function-const)
        static int check_window_name(void) { return 0; }
    """)
    assert doc.overview == "Renames windows after the command running in their active pane."
    assert doc.functions[0].summary == ""
    ts = outline_source("typescript", """
        /* istanbul ignore file -- @preserve We're testing this through E2E-testing */
        export function createNext() { return 1; }
    """)
    assert "istanbul" not in ts.overview and "E2E" not in ts.overview


def test_block_comments_right_below_each_other_stay_one_block() -> None:
    # cJSON.c opens with `/* cJSON */` and `/* JSON parser in C. */`: one comment in two
    doc = outline_source("c", """
        /* cJSON */
        /* JSON parser in C. */

        #include <string.h>

        int parse(void) { return 0; }
    """)
    assert doc.overview == "cJSON JSON parser in C."


def test_a_javadoc_with_line_comments_below_it_stays_the_class_doc() -> None:
    # gson's TypeAdapter: the class doc, then `// non-Javadoc:` notes, then the class
    doc = outline_source("java", """
        package com.google.gson;

        /**
         * Converts Java objects to and from JSON.
         */
        // non-Javadoc:
        // see the user guide
        public abstract class TypeAdapter<T> {
        }
    """)
    assert doc.classes[0].summary == "Converts Java objects to and from JSON."


def test_line_comments_right_below_each_other_stay_one_block() -> None:
    doc = outline_source("c", """
        // Parses the configuration file
        // into a tree of settings.

        int parse(void) { return 0; }
    """)
    assert doc.overview == "Parses the configuration file into a tree of settings."


def test_java_module_declaration_doc_is_the_overview() -> None:
    doc = outline_source("java", "/** Defines the Gson API. */\nmodule com.google.gson {\n}\n")
    assert doc.overview == "Defines the Gson API."


def test_line_numbers_on_every_symbol() -> None:
    doc = outline_source("typescript", """
        export function a() {}

        class B {
          m() {}
        }
    """)
    assert [(f.name, f.line) for f in doc.functions] == [("a", 1)]
    assert (doc.classes[0].line, doc.classes[0].methods[0].line) == (3, 4)


def test_ruby_modules_doc_is_also_the_files_overview() -> None:
    doc = outline_source("ruby", "# Helpers for templates.\nmodule Templates\n  VERSION = 1\nend\n")
    assert doc.overview == "Helpers for templates."
    assert doc.classes[0].summary == "Helpers for templates."


def test_a_comment_that_names_the_symbol_documents_it_across_a_blank_line() -> None:
    doc = outline_source("ruby", """
        module Rack
          # Rack::URLMap takes a hash mapping urls or paths to apps, and
          # dispatches accordingly.
          #
          # It tries the longest paths first.

          class URLMap
          end

          # Routes are tried in order.

          class Router
          end
        end
    """)
    by_name = {c.name: c.summary for c in doc.classes}
    assert by_name["URLMap"] == ("Rack::URLMap takes a hash mapping urls or paths to apps, "
                                 "and dispatches accordingly.")
    assert by_name["Router"] == ""  # a comment a blank line above that names something else


def test_a_c_comment_that_names_the_function_documents_it_across_a_blank_line() -> None:
    doc = outline_source("c", """
        // Deferred destruction.
        #include "defs.h"

        // nni_reap performs an asynchronous reap of an item.  The called function
        // should avoid blocking.

        extern void nni_reap(nni_reap_list *, void *);

        // Locks are taken in this order.

        extern int nni_reap_sys_init(void);
    """)
    by_name = {f.name: f.summary for f in doc.functions}
    assert by_name["nni_reap"] == "nni_reap performs an asynchronous reap of an item."
    assert by_name["nni_reap_sys_init"] == ""


def test_a_ruby_file_that_opens_with_load_keeps_its_overview() -> None:
    for require in ("require", "require_relative", "load"):
        doc = outline_source("ruby", f"""
            # Billing helpers.
            {require} "x"

            class A; end
        """)
        assert doc.overview == "Billing helpers.", require


def test_nested_types_are_classes_of_their_own() -> None:
    # Dapper's GridReader lives inside `partial class SqlMapper`: it had been left out
    doc = outline_source("csharp", """
        namespace Dapper;

        public static partial class SqlMapper
        {
            /// <summary>Reads several result sets, one after another.</summary>
            public partial class GridReader : IDisposable
            {
                /// <summary>Reads the next result set.</summary>
                public IEnumerable<T> Read<T>() => ReadImpl<T>();
                private enum Row { First, Single }
            }
        }
    """)
    mapper, reader, row = doc.classes
    assert (mapper.name, mapper.methods) == ("SqlMapper", [])
    assert (reader.name, reader.line, reader.bases) == (
        "SqlMapper.GridReader", 6, ["IDisposable"])
    assert reader.summary == "Reads several result sets, one after another."
    assert [(m.name, m.summary) for m in reader.methods] == [
        ("Read", "Reads the next result set.")]
    assert (row.name, row.methods) == ("SqlMapper.GridReader.Row", [])
    assert doc.exports == ["SqlMapper", "SqlMapper.GridReader"]


def test_nested_namesakes_stay_apart_and_aliases_are_not_classes() -> None:
    doc = outline_source("swift", """
        final class DataPublisher {
            typealias Output = Int
            private final class Inner { func request() {} }
        }
        final class StreamPublisher {
            private final class Inner { func cancel() {} }
        }
    """)
    assert [(c.name, names(c.methods)) for c in doc.classes] == [
        ("DataPublisher", []), ("DataPublisher.Inner", ["request"]),
        ("StreamPublisher", []), ("StreamPublisher.Inner", ["cancel"])]


def test_java_enum_constants_bodies_give_the_enum_its_methods_once() -> None:
    doc = outline_source("java", """
        /** Number reading strategies. */
        public enum ToNumberPolicy implements ToNumberStrategy {
          /** As a double. */
          DOUBLE {
            @Override public Double readNumber(JsonReader in) { return in.nextDouble(); }
          },
          LONG_OR_DOUBLE {
            @Override public Number readNumber(JsonReader in) { return parse(in); }
            private Number parse(JsonReader in) { return null; }
          };

          static double parseAsDouble(String s) { return 0; }
        }
    """)
    (policy,) = doc.classes
    assert names(policy.methods) == ["parseAsDouble", "readNumber", "parse"]


def test_scala() -> None:
    doc = outline_source("scala", """
        package os

        import java.nio.file.{Files, Paths}
        import scala.language.implicitConversions // needed for the conversions below

        /** A path segment, or several. */
        trait PathChunk {
          def segments: Seq[String]
        }

        object PathChunk extends PathChunkMacros {
          /** Splits a string on slashes. */
          def segmentsFromString(s: String): Array[String] = s.split('/')
          private def reduceUps(in: Array[String]): List[String] = Nil

          implicit class RelPathChunk(r: RelPath) extends PathChunk {
            def segments = r.segments
          }
        }

        private[os] class Hidden(s: String) extends Base(s)

        def topLevel(x: Int): Int = x
    """)
    trait, relpath, hidden = doc.classes
    assert (trait.name, trait.line) == ("PathChunk", 11)  # the companion object's line
    assert trait.summary == "A path segment, or several."
    assert trait.bases == ["PathChunkMacros"]
    assert names(trait.methods) == ["segments", "segmentsFromString", "reduceUps"]
    assert trait.methods[1].summary == "Splits a string on slashes."
    assert trait.methods[1].signature == "def segmentsFromString(s: String): Array[String]"
    assert (relpath.name, relpath.bases, names(relpath.methods)) == (
        "PathChunk.RelPathChunk", ["PathChunk"], ["segments"])
    assert (hidden.name, hidden.bases) == ("Hidden", ["Base"])
    assert names(doc.functions) == ["topLevel"]
    assert doc.imports == ["java.nio.file.{Files, Paths}", "scala.language.implicitConversions"]
    assert doc.exports == ["PathChunk", "PathChunk.RelPathChunk", "topLevel"]
    assert doc.notes == []
    assert doc.overview == ""  # not the comment at the end of an import


def test_a_cpp_keyword_reminder_is_no_summary() -> None:
    # ninja: `// static` above a static member's definition
    doc = outline("cpp", b"// Parses cl.exe output.\n#include <string>\n\n"
                         b"// Strip the include notes.\n// static\n"
                         b"string CLParser::Filter(const string& line) { return line; }\n"
                         b"/* virtual */ void X::f() {}\n"
                         b"// Parse one line.\nvoid X::g() {}\n")
    assert doc is not None
    assert [(f.name, f.summary) for f in doc.functions] == [
        ("CLParser::Filter", "Strip the include notes."), ("X::f", ""),
        ("X::g", "Parse one line.")]


def test_the_overview_comes_after_a_header_of_credits() -> None:
    doc = outline_source("cpp", """
        // Copyright 2010, Jane Roe.  All rights reserved.
        // Use of this source code is governed by a BSD-style license.

        // Author: Jane Roe (jane at example dot com)

        // Picks poll(2) or epoll(7) for the event loop.

        #include <stdlib.h>

        int pick() { return getenv("USE_POLL") != 0; }
        """)
    assert doc.overview == "Picks poll(2) or epoll(7) for the event loop."


@pytest.mark.parametrize(("body", "contract"), [
    ("public interface Backoff {\n    /** Signals a backoff. */\n    void backOff(Route r);\n"
     "    int LIMIT = 3;\n}", True),
    ("@FunctionalInterface\npublic interface Strategy { long keepAlive(Response r); }\n"
     "interface Other { interface Inner { void f(); } }", True),
    ("public interface Backoff {\n    default void reset() { count = 0; }\n}", False),
    ("public interface Backoff {\n    static Backoff none() { return null; }\n}", False),
    ("public interface Backoff {\n    class Impl implements Backoff {}\n}", False),
    ("public interface Backoff { void backOff(); }\nclass Aimd implements Backoff {\n"
     "    public void backOff() { limit /= 2; }\n}", False),
    ("public class Aimd { public void backOff() {} }", False),
    ("public enum Mode { ON, OFF }", False),
    # a constant that is an implementation: an anonymous class, a lambda
    ("public interface Park {\n    void park(long n);\n    Park SPIN = new Park() {\n"
     "        public void park(long n) { while (n-- > 0) {} }\n    };\n}", False),
    ("public interface Clock {\n    long now();\n    Clock SYSTEM = () -> 1L;\n}", False),
    ("public interface Clock {\n    long now();\n"
     "    Clock SYSTEM = System::currentTimeMillis;\n}", False),
    ("public interface Clock {\n    long now();\n    Clock[] NONE = new Clock[0];\n}", True)])
def test_a_java_file_of_interfaces_alone_is_noted_as_a_contract(body: str, contract: bool
                                                               ) -> None:
    doc = outline_source("java", "package com.example;\n\nimport java.util.List;\n\n" + body)
    assert (search_text.INTERFACES_NOTE in doc.notes) is contract


@pytest.mark.parametrize(("body", "contract"), [
    ("/** Loads images. */\ninterface ImageLoader {\n    fun enqueue(request: Request)\n"
     "    val defaults: Defaults\n}\n", True),
    ("fun interface Callback {\n    fun call(x: Int)\n}\n", True),
    ("interface Loader {\n    fun load()\n    fun reset() {\n        cache.clear()\n    }\n}\n",
     False),
    ("interface Loader {\n    val size: Int\n        get() = 3\n}\n", False),
    ("interface Loader {\n    fun load()\n}\n\nclass Real : Loader {\n}\n", False),
    ("abstract class Base {\n    abstract fun load()\n}\n", False),
    ("class Real {\n    fun load() {\n    }\n}\n", False)])
def test_a_kotlin_file_of_interfaces_alone_is_noted_as_a_contract(body: str, contract: bool
                                                                 ) -> None:
    doc = outline_source("kotlin", "package com.example\n\nimport okio.Buffer\n\n" + body)
    assert search_text.SYNTAX_ERRORS_NOTE not in doc.notes
    assert (search_text.INTERFACES_NOTE in doc.notes) is contract


@pytest.mark.parametrize(("language", "source"), [
    ("java", "/** The shop. */\npackage com.example.shop;\n"),  # package-info.java
    ("csharp", "public interface ILoader\n{\n    void Load();\n}\n")])
def test_only_java_kotlin_and_typescript_files_of_interfaces_get_the_note(
        language: str, source: str) -> None:
    assert search_text.INTERFACES_NOTE not in outline_source(language, source).notes


@pytest.mark.parametrize(("source", "contract"), [
    ("import { Path } from './path';\n\n/** Loads files. */\nexport interface Loader {\n"
     "  load(path: Path): Promise<void>;\n}\n\nexport type Mode = 'a' | 'b';\n", True),
    ("interface Options {\n  retries: number;\n}\n", True),
    ("export type Mode = 'a' | 'b';\n", False),  # no interface: only-types decides
    ("export interface Loader {\n  load(): void;\n}\nexport function load() {}\n", False),
    ("export interface Loader {\n  load(): void;\n}\nexport const none = null;\n", False),
    ("export interface Loader {\n  load(): void;\n}\nexport { load } from './load';\n",
     False),
    # names passed on are not work: an imported type exported again, local names
    ("import { Next } from './next';\nexport type { Next };\n"
     "export interface Loader {\n  load(): void;\n}\n", True),
    ("export type { Next } from './next';\nexport interface Loader {\n  load(): void;\n}\n",
     True),
    ("import { Paging } from './paging';\nexport interface Loader {\n  load(): void;\n}\n"
     "export { Paging };\n", True),
    ("export interface Loader {\n  load(): void;\n}\nexport * from './load';\n", False),
    ("export interface Loader {\n  load(): void;\n}\nexport default makeLoader();\n", False)])
def test_a_typescript_file_of_interfaces_alone_is_noted_as_a_contract(source: str,
                                                                      contract: bool) -> None:
    doc = outline_source("typescript", source)
    assert (search_text.INTERFACES_NOTE in doc.notes) is contract


@pytest.mark.parametrize(("language", "source", "works"), [
    ("csharp", "internal static partial class ArgumentConverter\n{\n"
     "    private static Dictionary<Type, Parse> Parsers => new()\n    {\n"
     "        [typeof(bool)] = (string token) => bool.Parse(token),\n    };\n}\n", True),
    ("csharp", "using System;\n\nvar app = Build(args);\napp.Run();\n\n"
     "record Settings(string Name);\n", True),  # top-level statements: a program
    ("csharp", "public class Options\n{\n    public int Retries { get; set; } = 3;\n"
     "    public string Name => \"x\";\n}\n", False),  # properties alone: declarations
    ("csharp", "public class Runner\n{\n    public void Run() { Go(x => x); }\n}\n", False),
    ("csharp", "public class Bus\n{\n    public event EventHandler Changed = delegate { };\n}\n",
     False),  # an event's null object does nothing
    ("csharp", "public class Bus\n{\n    public event EventHandler Changed = delegate "
     "(object s, EventArgs e) { Log(s); };\n}\n", True),
    ("java", "public final class Converters {\n"
     "    public static final Converter<Object> DEFAULT = s -> s;\n}\n", True),
    ("java", "public final class Converters {\n"
     "    public static final Converter<Integer> INT = Integer::parseInt;\n}\n", True),
    ("java", "public final class Registry {\n    static final Map<String, Integer> ALL = "
     "new HashMap<>();\n    static {\n        ALL.put(\"a\", 1);\n    }\n}\n", True),
    ("java", "public final class Clocks {\n    public static final Clock SPIN = new Clock() {\n"
     "        public long now() { return 1L; }\n    };\n}\n", True),
    ("java", "public final class Names {\n"
     "    public static final List<String> ALL = new ArrayList<>();\n}\n", False),
])
def test_a_file_of_types_without_methods_that_runs_code_is_noted(
        language: str, source: str, works: bool) -> None:
    doc = outline_source(language, source)
    assert (search_text.WORKS_NOTE in doc.notes) is works


@pytest.mark.parametrize("language, source, kinds", [
    ("typescript", """
        export type Options = { limit: number };
        export interface Client { get(url: string): void }
        export enum Mode { A, B }
        export class Pool {}
        export abstract class Base {}
        """, {"Options": "type", "Client": "interface", "Mode": "enum", "Pool": "class",
              "Base": "class"}),
    ("go", """
        package p

        type Store struct{ dir string }
        type Reader interface{ Read() }
        type ID int
        """, {"Store": "struct", "Reader": "interface", "ID": "type"}),
    ("rust", """
        pub struct Point { x: i32 }
        pub enum Shape { Circle }
        pub trait Draw { fn draw(&self); }
        pub type Id = u64;
        impl Point { fn new() -> Self { Point { x: 0 } } }
        """, {"Point": "struct", "Shape": "enum", "Draw": "trait", "Id": "type"}),
    ("java", """
        public class Pool {}
        interface Lease {}
        enum State { OPEN }
        record Pair(int a, int b) {}
        @interface Marker {}
        """, {"Pool": "class", "Lease": "interface", "State": "enum", "Pair": "record",
              "Marker": "annotation"}),
    ("csharp", """
        public class Pool {}
        public struct Lease {}
        public interface IPool {}
        public enum State { Open }
        public record Pair(int A, int B);
        """, {"Pool": "class", "Lease": "struct", "IPool": "interface", "State": "enum",
              "Pair": "record"}),
    ("kotlin", """
        class Pool
        interface Lease
        enum class State { OPEN }
        object Registry
        typealias Id = Long
        """, {"Pool": "class", "Lease": "interface", "State": "enum", "Registry": "object",
              "Id": "type"}),
    ("swift", """
        class Pool {}
        struct Lease {}
        enum State { case open }
        protocol Leasing {}
        """, {"Pool": "class", "Lease": "struct", "State": "enum", "Leasing": "protocol"}),
    ("c", """
        struct point { int x; };
        typedef struct { int y; } size;
        enum mode { A };
        typedef unsigned long id_t;
        """, {"point": "struct", "size": "struct", "mode": "enum", "id_t": "type"}),
    ("ruby", """
        module Net
          class Client
          end
        end
        """, {"Net": "module", "Client": "class"}),
])
def test_each_type_says_what_the_language_calls_it(language, source, kinds) -> None:
    doc = outline_source(language, source)
    found = {c.name: c.kind for c in doc.classes if c.name in kinds}
    assert found == kinds


def test_methods_added_to_a_type_declared_elsewhere_say_no_kind() -> None:
    doc = outline_source("go", """
        package p

        func (s *Store) Save() {}
        """)
    assert [(c.name, c.defined, c.kind) for c in doc.classes] == [("Store", False, None)]
