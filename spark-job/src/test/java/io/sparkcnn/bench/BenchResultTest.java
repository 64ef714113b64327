package io.sparkcnn.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class BenchResultTest {
    /** A training phase of 1,000 images that took {@code cpuSeconds} of CPU and half that of wall time. */
    private static PhaseResult train(int repeat, String where, double cpuSeconds) {
        return new PhaseResult(repeat, "train", where, where.equals("process") ? 1 : 2, 100,
                where.equals("process") ? 0 : 10, where.equals("process") ? 0 : 5, 1000, cpuSeconds / 2, cpuSeconds,
                "process", 0.9, 0.1, 0, 0.9, Map.of());
    }

    @Test
    void comparesEachSparkPhaseWithTheSingleProcessOfItsOwnRepetition() {
        List<PhaseResult> phases = new ArrayList<>();
        // Repetition 2 ran slower throughout (800 and 600 img/CPU-s); its ratio, 75 %, compares it with itself.
        double[][] cpu = {{1.0, 1.25}, {1.25, 1000.0 / 600}, {1.0, 1.0 / 0.9}};
        for (int r = 0; r < cpu.length; r++) {
            phases.add(train(r + 1, "process", cpu[r][0]));
            phases.add(train(r + 1, "local[2]", cpu[r][1]));
        }
        BenchResult result = new BenchResult("seed-cnn", 1000, 100, 100, 10, "1", 3, phases, List.of());
        List<BenchResult.Summary> summary = result.summary();
        assertEquals(2, summary.size());
        BenchResult.Summary process = summary.get(0);
        assertEquals("process", process.where());
        assertEquals(3, process.runs());
        assertEquals(1000, process.medianImagesPerCpuSecond(), 1e-9);
        assertEquals(800, process.minImagesPerCpuSecond(), 1e-9);
        assertTrue(Double.isNaN(process.medianCpuRatio()));
        BenchResult.Summary spark = summary.get(1);
        assertEquals(800, spark.medianImagesPerCpuSecond(), 1e-9);
        assertEquals(600, spark.minImagesPerCpuSecond(), 1e-9);
        assertEquals(900, spark.maxImagesPerCpuSecond(), 1e-9);
        assertEquals(0.8, spark.medianCpuRatio(), 1e-9, "ratios 0.80, 0.75, 0.90");
        assertEquals(0.75, spark.minCpuRatio(), 1e-9);
        assertEquals(0.9, spark.maxCpuRatio(), 1e-9);
        assertEquals(1600, spark.medianImagesPerSecond(), 1e-9);
        assertTrue(result.table().contains("per CPU-second 80.0 % of one process in the same repetition (75.0-90.0 %)"),
                result.table());
        assertTrue(result.json().contains("\"medianCpuRatio\" : null"), result.json());
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2, BenchResult.median(new double[]{1, 2, 7}));
        assertEquals(4.5, BenchResult.median(new double[]{1, 2, 7, 9}));
        assertTrue(Double.isNaN(BenchResult.median(new double[0])));
    }
}
