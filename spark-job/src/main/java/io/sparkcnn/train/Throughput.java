package io.sparkcnn.train;

import java.util.Locale;

/**
 * Speed of a training phase.
 *
 * @param images     training images processed (examples x epochs)
 * @param wallSeconds elapsed time
 * @param cpuSeconds  CPU time (user + system) spent on it; see {@code cpuSource}
 * @param cpuSource   what {@code cpuSeconds} counts: {@code process} (local mode: driver and executors are one
 *                    JVM, so every thread including native BLAS/OpenMP threads) or {@code driver+tasks}
 *                    (cluster: driver process plus the executors' task threads as Spark measures them)
 */
public record Throughput(long images, double wallSeconds, double cpuSeconds, String cpuSource) {
    public double imagesPerSecond() {
        return wallSeconds > 0 ? images / wallSeconds : 0;
    }

    public double imagesPerCpuSecond() {
        return cpuSeconds > 0 ? images / cpuSeconds : 0;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d images in %.1f s: %.1f images/s, %.1f images/CPU-s (%.1f CPU-s, %s)",
                images, wallSeconds, imagesPerSecond(), imagesPerCpuSecond(), cpuSeconds, cpuSource);
    }
}
