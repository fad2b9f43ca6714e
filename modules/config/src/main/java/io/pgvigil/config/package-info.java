/** pgvigil config. */
package io.pgvigil.config;
