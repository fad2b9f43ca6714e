package io.pgvigil.app;
final class Placeholder { private Placeholder() { } }
