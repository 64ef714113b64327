/**
 * Readers and writers of images and labels (MNIST idx, Kaggle CSV, PNG), each naming the file, offset or row of
 * bad input, and the augmentation of images. Knows nothing of Spark.
 */
package io.sparkcnn.data;
