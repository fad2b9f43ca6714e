package io.pgvigil.config;
final class Placeholder { private Placeholder() { } }
