package io.pgvigil.collectors;
final class Placeholder { private Placeholder() { } }
