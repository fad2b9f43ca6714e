package io.pgvigil.http;
final class Placeholder { private Placeholder() { } }
