/**
 * Where models go, through Hadoop's {@code FileSystem} only ({@code file://}, {@code hdfs://}): the model
 * directory written atomically, and the versioned registry with its lock, checksums, promotion and retention.
 */
package io.sparkcnn.store;
