/**
 * What an executor needs to train fast and to be checked before it does: the native settings (oneDNN helpers,
 * OpenBLAS, OpenMP, malloc), the Spark session with the job's Kryo serializer for ND4J arrays, the memory plan of
 * a network and the pre-flight check of every executor.
 */
package io.sparkcnn.runtime;
