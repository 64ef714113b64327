/**
 * Classifying images and CSV rows with a stored model, in one process or on the executors.
 */
package io.sparkcnn.predict;
