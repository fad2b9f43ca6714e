/** pgvigil app. */
package io.pgvigil.app;
