package io.sparkcnn.runtime;

import io.sparkcnn.config.NativeConfig;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The native speed settings of STACK.md ("Speed: three traps that cost 5x"): DL4J's layer helpers switched
 * on, the OpenBLAS core type, one OpenMP thread per task, and a report of what is really active.
 *
 * <p>{@code OMP_NUM_THREADS}, {@code OPENBLAS_CORETYPE} and the malloc settings ({@link #MALLOC_ENV}) must be in
 * a process's environment before the native library loads (malloc's when the process starts), so this class
 * cannot set them for its own JVM: the launch script does that for the driver (and for local mode), and
 * {@link SparkSessions} passes them to executors.</p>
 */
public final class NativeSetup {
    /** DL4J's system property; DL4J M2/M2.1 default it to {@code true}, which disables oneDNN helpers. */
    public static final String HELPERS_DISABLE_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    /**
     * glibc malloc settings for every JVM that trains (the launch scripts export the same for the driver). With
     * glibc's defaults the activation and gradient buffers of every minibatch (up to 19 MiB each for
     * {@code seed-cnn} at batch 128) come from fresh {@code mmap}s or a heap trimmed back after each free, and
     * are page-faulted in again on first touch: blocks up to 32 MiB come from the heap, which keeps up to 256 MiB
     * free at its top and grows by 64 MiB at a time. In a profiling loop of {@code seed-cnn} training (batch
     * 128, one process), 958,471 page faults and 34.6 CPU-s became 166,421 and 31.7 CPU-s.
     */
    public static final Map<String, String> MALLOC_ENV = Map.of(
            "MALLOC_MMAP_THRESHOLD_", Integer.toString(32 << 20),
            "MALLOC_TRIM_THRESHOLD_", Integer.toString(256 << 20),
            "MALLOC_TOP_PAD_", Integer.toString(64 << 20));

    private NativeSetup() {
    }

    /** ND4J's CPU backend, in {@code nd4j-native}; absent from the CUDA build ({@code -Pcuda}). */
    static final String CPU_BACKEND_CLASS = "org.nd4j.linalg.cpu.nativecpu.CpuBackend";

    /** Enables or disables DL4J's layer helpers in this JVM; takes effect for layers created afterwards. */
    public static void applyToThisJvm(NativeConfig cfg) {
        System.setProperty(HELPERS_DISABLE_PROPERTY, Boolean.toString(!helpersEnabled(cfg)));
    }

    /**
     * Whether DL4J's layer helpers are switched on: as configured on the CPU backend (oneDNN), always off on
     * any other. On CUDA, DL4J would look for its cuDNN layer helpers in {@code deeplearning4j-cuda-11.6},
     * which is not served: every convolution and pooling layer would log a class-loading error and fall back
     * to the built-in implementation, which is what it gets with helpers off.
     */
    public static boolean helpersEnabled(NativeConfig cfg) {
        return cfg.layerHelpers() && cpuBackendOnClassPath();
    }

    /** True when ND4J's CPU backend is on the class path (looked up without loading any native library). */
    public static boolean cpuBackendOnClassPath() {
        try {
            Class.forName(CPU_BACKEND_CLASS, false, NativeSetup.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The OpenBLAS core type to give executors: the configured name, nothing for {@code none}, and for
     * {@code auto} the one that matches this machine's CPU flags ({@code SKYLAKEX} with AVX-512,
     * {@code HASWELL} with AVX2), since OpenBLAS 0.3.19 misdetects some AVX-512 Xeons as {@code Prescott}.
     */
    public static Optional<String> openblasCoreType(NativeConfig cfg) {
        return switch (cfg.openblasCoreType()) {
            case "none" -> Optional.empty();
            case "auto" -> detectCoreType(cpuFlags());
            default -> Optional.of(cfg.openblasCoreType());
        };
    }

    static Optional<String> detectCoreType(List<String> flags) {
        if (flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl")) {
            return Optional.of("SKYLAKEX");
        }
        if (flags.contains("avx2")) {
            return Optional.of("HASWELL");
        }
        return Optional.empty();
    }

    /** The CPU flags of this machine (Linux), or an empty list where they cannot be read. */
    static List<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return List.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return List.of();
    }

    /**
     * One line per convolution or pooling layer naming the helper that will run it, e.g.
     * {@code conv2d_1: MKLDNNConvHelper}, or {@code none (built-in Java implementation)} when DL4J falls back.
     */
    public static List<String> layerHelpers(MultiLayerNetwork net) {
        List<String> out = new ArrayList<>();
        convolutionHelpers(net).forEach((layer, helper) -> out.add(layer + ": "
                + (helper == null ? "none (built-in Java implementation)" : helper)));
        return out;
    }

    /** True when every convolution and pooling layer of {@code net} has a oneDNN helper. */
    public static boolean allConvolutionsUseOneDnn(MultiLayerNetwork net) {
        Map<String, String> helpers = convolutionHelpers(net);
        return !helpers.isEmpty() && helpers.values().stream().allMatch(h -> h != null && h.startsWith("MKLDNN"));
    }

    /** Layer name to the simple class name of its helper ({@code null} for none), convolution and pooling layers only. */
    static Map<String, String> convolutionHelpers(MultiLayerNetwork net) {
        Map<String, String> helpers = new LinkedHashMap<>();
        for (Layer wrapped : net.getLayers()) {
            Layer layer = wrapped instanceof FrozenLayer frozen ? frozen.getInsideLayer() : wrapped;
            if (layer instanceof ConvolutionLayer || layer instanceof SubsamplingLayer) {
                Object helper = layer.getHelper();
                helpers.put(layer.conf().getLayer().getLayerName(), helper == null ? null : helper.getClass().getSimpleName());
            }
        }
        return helpers;
    }

    /** A one-line description of the BLAS and thread settings of this JVM, for the start-up log. */
    public static String describeBlas() {
        String backend = Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend", "unknown");
        String core = Optional.ofNullable(System.getenv("OPENBLAS_CORETYPE")).map(c -> c + " (forced by OPENBLAS_CORETYPE)")
                .orElse("auto-detected by OpenBLAS (OPENBLAS_CORETYPE unset)");
        String omp = Optional.ofNullable(System.getenv("OMP_NUM_THREADS")).orElse("unset");
        return String.format(Locale.ROOT, "BLAS core: %s; OMP_NUM_THREADS=%s; ND4J max threads %d; oneDNN %s; backend %s",
                core, omp, Nd4j.getEnvironment().maxThreads(), oneDnnEnabled() ? "enabled" : "disabled",
                backend);
    }

    private static boolean oneDnnEnabled() {
        try {
            return org.nd4j.nativeblas.Nd4jCpu.Environment.getInstance().isUseMKLDNN();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
