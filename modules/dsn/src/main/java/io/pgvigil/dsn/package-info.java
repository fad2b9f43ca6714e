/** pgvigil dsn. */
package io.pgvigil.dsn;
