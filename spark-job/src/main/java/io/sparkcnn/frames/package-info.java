/**
 * Spark DataFrames as training data: Parquet tables and folders of PNG files read and checked by the executors
 * ({@link io.sparkcnn.frames.ImageFrames}), the loading of every {@code data.format}
 * ({@link io.sparkcnn.frames.DataSources}), and Parquet tables written for {@code convert}.
 */
package io.sparkcnn.frames;
