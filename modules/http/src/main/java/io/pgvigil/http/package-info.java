/** pgvigil http. */
package io.pgvigil.http;
