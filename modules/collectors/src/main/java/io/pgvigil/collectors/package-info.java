/** pgvigil collectors. */
package io.pgvigil.collectors;
