package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@code bench} run measured, with the settings it ran with.
 *
 * @param preset             the network
 * @param trainImages        images per training phase (one epoch)
 * @param testImages         images per evaluation phase
 * @param batchSize          minibatch size per worker
 * @param averagingFrequency minibatches per worker between averaging rounds in the Spark phases
 * @param ompThreads         {@code OMP_NUM_THREADS} of this process (empty when unset)
 * @param phases             the phases in the order they ran
 * @param advice             one per Spark master
 */
public record BenchResult(String preset, int trainImages, int testImages, int batchSize, int averagingFrequency,
                          String ompThreads, List<PhaseResult> phases, List<Advice> advice) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BenchResult {
        phases = List.copyOf(phases);
        advice = List.copyOf(advice);
    }

    /** The phases as a fixed-width table, where each training phase's time went, then the advice per master. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Benchmark of %s: %,d training images (1 epoch), %,d test images, "
                        + "batch %d per worker, averaging every %d, OMP_NUM_THREADS=%s%n", preset, trainImages,
                testImages, batchSize, averagingFrequency, ompThreads.isEmpty() ? "(unset)" : ompThreads));
        String format = "%-8s | %-22s | %7s | %5s | %6s | %7s | %8s | %8s | %8s | %9s | %7s | %7s | %6s | %8s%n";
        out.append(String.format(Locale.ROOT, format, "phase", "where", "workers", "freq", "rounds", "images",
                "wall s", "CPU s", "img/s", "img/CPU-s", "compute", "averag.", "data", "test acc"));
        out.append("-".repeat(138)).append('\n');
        for (PhaseResult p : phases) {
            out.append(String.format(Locale.ROOT, format, p.phase(), p.where(), p.workers(),
                    p.averagingFrequency() > 0 ? Integer.toString(p.averagingFrequency()) : "-",
                    p.rounds() > 0 ? Integer.toString(p.rounds()) : "-", p.images(), fixed(p.wallSeconds(), 1),
                    fixed(p.cpuSeconds(), 1), fixed(p.imagesPerSecond(), 1), fixed(p.imagesPerCpuSecond(), 1),
                    percent(p.computeShare()), percent(p.averagingShare()), percent(p.dataShare()),
                    Double.isNaN(p.accuracy()) ? "-" : fixed(p.accuracy(), 4)));
        }
        for (PhaseResult p : phases) {
            if (!p.breakdownMs().isEmpty()) {
                out.append(String.format(Locale.ROOT, "%nWhere the time went, %s on %s (ms, worker times summed "
                        + "over workers):%n", p.phase(), p.where()));
                p.breakdownMs().entrySet().stream()
                        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .forEach(e -> out.append(String.format(Locale.ROOT, "  %-52s %12.1f%n", e.getKey(),
                                e.getValue())));
            }
        }
        for (Advice a : advice) {
            out.append(System.lineSeparator()).append("Advice: ").append(a.text()).append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String fixed(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * share);
    }

    /**
     * The result as indented JSON: the settings, every phase with its derived rates (shares that do not apply,
     * as in evaluation, are null), and the advice.
     */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("preset", preset).put("trainImages", trainImages).put("testImages", testImages)
                .put("batchSize", batchSize).put("averagingFrequency", averagingFrequency)
                .put("ompThreads", ompThreads);
        ArrayNode rows = root.putArray("phases");
        for (PhaseResult p : phases) {
            ObjectNode row = JSON.valueToTree(p);
            row.put("imagesPerSecond", p.imagesPerSecond()).put("imagesPerCpuSecond", p.imagesPerCpuSecond());
            for (String field : List.of("computeShare", "dataShare", "accuracy")) {
                if (row.get(field).isDouble() && Double.isNaN(row.get(field).asDouble())) {
                    row.putNull(field);
                }
            }
            rows.add(row);
        }
        ArrayNode adv = root.putArray("advice");
        for (Advice a : advice) {
            adv.add(((ObjectNode) JSON.valueToTree(a)).put("text", a.text()));
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the benchmark as JSON", e);
        }
    }
}
