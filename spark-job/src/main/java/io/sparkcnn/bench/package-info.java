/**
 * Measurements that print tables: the speed benchmark and its advice, the scaling study over worker counts, and
 * the cluster time-to-accuracy model behind {@code plan}.
 */
package io.sparkcnn.bench;
