package io.sparkcnn.config;

/**
 * Native-library settings for ND4J on the driver and on executors (see STACK.md, "Speed").
 *
 * @param ompThreads       OpenMP threads per Spark task; 1 is best with one task per core
 * @param openblasCoreType value of {@code OPENBLAS_CORETYPE} for executors: {@code auto} (derived from the
 *                         driver's CPU flags), {@code none} (let OpenBLAS detect), or a core name such as
 *                         {@code SKYLAKEX} or {@code HASWELL}
 * @param layerHelpers     enable DL4J's oneDNN layer helpers (DL4J disables them by default)
 */
public record NativeConfig(int ompThreads, String openblasCoreType, boolean layerHelpers) {
}
