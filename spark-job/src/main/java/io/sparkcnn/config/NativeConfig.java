package io.sparkcnn.config;

import java.util.List;

/**
 * Native-library settings for ND4J on the driver and on executors (see STACK.md, "Speed").
 *
 * @param ompThreads       OpenMP threads per Spark task; 1 is best with one task per core
 * @param openblasCoreType value of {@code OPENBLAS_CORETYPE} for executors: {@code auto} (derived from the
 *                         driver's CPU flags), {@code none} (let OpenBLAS detect), or a core name such as
 *                         {@code SKYLAKEX} or {@code HASWELL}
 * @param layerHelpers     enable DL4J's oneDNN layer helpers (DL4J disables them by default)
 * @param bf16Convolutions {@code auto}, {@code on} or {@code off}: multi-channel NHWC convolutions and dense
 *                         layers in bfloat16 on CPUs with AMX-BF16 (auto), also on CPUs with AVX-512 BF16 only
 *                         (on), or never; decided on each executor for its own CPU
 */
public record NativeConfig(int ompThreads, String openblasCoreType, boolean layerHelpers, String bf16Convolutions) {
    /** The values of {@code natives.bf16-convolutions}. */
    public static final List<String> BF16_MODES = List.of("auto", "on", "off");
}
