/**
 * Pure factories: a network configuration in, a DL4J {@code MultiLayerConfiguration} out; the custom layers and
 * regularizers; the model summary, transfer learning and the input contract a saved model carries.
 */
package io.sparkcnn.model;
