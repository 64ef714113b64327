/**
 * Evaluation maths on confusion matrices, and the promotion gate that compares a new model with the registry's
 * champion.
 */
package io.sparkcnn.eval;
