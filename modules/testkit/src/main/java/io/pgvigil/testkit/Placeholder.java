package io.pgvigil.testkit;
final class Placeholder { private Placeholder() { } }
