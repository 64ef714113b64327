package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * @param repeats            how many times the whole sequence of phases ran
 * @param phases             the phases in the order they ran
 * @param advice             one per Spark master
 */
public record BenchResult(String preset, int trainImages, int testImages, int batchSize, int averagingFrequency,
                          String ompThreads, int repeats, List<PhaseResult> phases, List<Advice> advice) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public BenchResult {
        phases = List.copyOf(phases);
        advice = List.copyOf(advice);
    }

    /**
     * The training phases of one place over all repetitions: median and range of images per CPU-second, median
     * images per second, and for a Spark master its images per CPU-second as a share of the single-process phase
     * of the same repetition (NaN for the process itself).
     */
    public record Summary(String where, int runs, double medianImagesPerSecond, double medianImagesPerCpuSecond,
                          double minImagesPerCpuSecond, double maxImagesPerCpuSecond, double medianCpuRatio,
                          double minCpuRatio, double maxCpuRatio) {
    }

    /** One {@link Summary} per place the training ran, in the order they first ran. */
    public List<Summary> summary() {
        Map<Integer, PhaseResult> process = new HashMap<>();
        Map<String, List<PhaseResult>> byWhere = new LinkedHashMap<>();
        for (PhaseResult p : phases) {
            if (p.phase().equals("train")) {
                byWhere.computeIfAbsent(p.where(), w -> new ArrayList<>()).add(p);
                if (p.where().equals("process")) {
                    process.put(p.repeat(), p);
                }
            }
        }
        List<Summary> out = new ArrayList<>();
        byWhere.forEach((where, runs) -> {
            double[] cpu = runs.stream().mapToDouble(PhaseResult::imagesPerCpuSecond).sorted().toArray();
            double[] wall = runs.stream().mapToDouble(PhaseResult::imagesPerSecond).sorted().toArray();
            double[] ratio = where.equals("process") ? new double[0] : runs.stream()
                    .filter(r -> process.containsKey(r.repeat()))
                    .mapToDouble(r -> r.imagesPerCpuSecond() / process.get(r.repeat()).imagesPerCpuSecond())
                    .sorted().toArray();
            out.add(new Summary(where, runs.size(), median(wall), median(cpu), cpu[0], cpu[cpu.length - 1],
                    median(ratio), ratio.length > 0 ? ratio[0] : Double.NaN,
                    ratio.length > 0 ? ratio[ratio.length - 1] : Double.NaN));
        });
        return out;
    }

    /** Median of sorted values; NaN when there are none. */
    static double median(double[] sorted) {
        int n = sorted.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The phases as a fixed-width table, where each training phase's time went, then the advice per master. */
    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Benchmark of %s: %,d training images (1 epoch), %,d test images, "
                        + "batch %d per worker, averaging every %d, OMP_NUM_THREADS=%s%n", preset, trainImages,
                testImages, batchSize, averagingFrequency, ompThreads.isEmpty() ? "(unset)" : ompThreads));
        String format = "%3s | %-8s | %-22s | %7s | %5s | %6s | %7s | %8s | %8s | %8s | %9s | %7s | %7s | %6s | %8s%n";
        out.append(String.format(Locale.ROOT, format, "rep", "phase", "where", "workers", "freq", "rounds", "images",
                "wall s", "CPU s", "img/s", "img/CPU-s", "compute", "averag.", "data", "test acc"));
        out.append("-".repeat(144)).append('\n');
        for (PhaseResult p : phases) {
            out.append(String.format(Locale.ROOT, format, p.repeat(), p.phase(), p.where(), p.workers(),
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
        out.append(String.format(Locale.ROOT, "%nTraining over %d repetition%s (median, range in brackets):%n", repeats,
                repeats == 1 ? "" : "s"));
        for (Summary s : summary()) {
            out.append(String.format(Locale.ROOT, "  %-22s %8.1f img/s, %7.1f img/CPU-s (%.1f-%.1f)", s.where(),
                    s.medianImagesPerSecond(), s.medianImagesPerCpuSecond(), s.minImagesPerCpuSecond(),
                    s.maxImagesPerCpuSecond()));
            if (!Double.isNaN(s.medianCpuRatio())) {
                out.append(String.format(Locale.ROOT, ", per CPU-second %.1f %% of one process in the same "
                        + "repetition (%.1f-%.1f %%)", 100 * s.medianCpuRatio(), 100 * s.minCpuRatio(),
                        100 * s.maxCpuRatio()));
            }
            out.append(System.lineSeparator());
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
                .put("ompThreads", ompThreads).put("repeats", repeats);
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
        ArrayNode summaries = root.putArray("summary");
        for (Summary s : summary()) {
            ObjectNode row = JSON.valueToTree(s);
            for (String field : List.of("medianCpuRatio", "minCpuRatio", "maxCpuRatio")) {
                if (Double.isNaN(row.get(field).asDouble())) {
                    row.putNull(field);
                }
            }
            summaries.add(row);
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
