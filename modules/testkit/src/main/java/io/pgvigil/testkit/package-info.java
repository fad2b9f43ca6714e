/** pgvigil testkit. */
package io.pgvigil.testkit;
