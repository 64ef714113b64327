/**
 * Small helpers shared by the packages above that belong to none of them: seed derivation ({@link
 * io.sparkcnn.common.Seeds}) for augmentation and dropout masks, and the root message of a wrapped failure. The
 * bottom layer: it imports no other package of the job.
 */
package io.sparkcnn.common;
