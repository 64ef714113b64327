package io.sparkcnn.bench;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a scaling study ({@link ScalingResult}) measured: for every variant of the configuration and every worker
 * count, the test accuracy after every epoch and when each target accuracy was first reached.
 *
 * @param preset                the model preset
 * @param trainImages           training images per epoch
 * @param testImages            test images the accuracy is measured on
 * @param batchSizePerWorker    images per minibatch on each worker
 * @param averagingFrequency    minibatches per worker between averaging rounds, as configured (a variant may change it)
 * @param master                the Spark master the study ran on; {@code workers} are its partitions, so accuracy is
 *                              that of a cluster of that many executors, time that of this master
 * @param targets               the accuracies whose first epoch is reported, e.g. 0.985, 0.99, 0.992
 * @param variants              one per variant, in the order given
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScalingResult(String preset, int trainImages, int testImages, int batchSizePerWorker,
                            int averagingFrequency, String master, List<Double> targets, List<Variant> variants) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public ScalingResult {
        targets = targets == null ? List.of() : List.copyOf(targets);
        variants = variants == null ? List.of() : List.copyOf(variants);
    }

    /** Reads a study that {@link #json()} wrote (fields it does not know are ignored). */
    public static ScalingResult parse(String json) throws IOException {
        return JSON.readValue(json, ScalingResult.class);
    }

    /**
     * A variant of the configuration: its name, the settings it overrides, and a run per worker count.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Variant(String name, Map<String, String> overrides, List<Run> runs) {
        public Variant {
            overrides = overrides == null ? Map.of() : new LinkedHashMap<>(overrides);
            runs = runs == null ? List.of() : List.copyOf(runs);
        }
    }

    /**
     * One training run of {@code workers} workers.
     *
     * @param workers                 W
     * @param averagingFrequency      minibatches per worker per averaging round in this run
     * @param roundsPerEpoch          averaging rounds of the first epoch
     * @param imagesPerWorkerPerRound batch size x averaging frequency
     * @param outer                   the outer step, e.g. {@code nesterov lr 0.7 momentum 0.9} or {@code none}
     * @param epochs                  one entry per epoch
     * @param reached                 per target (as text, e.g. {@code "0.99"}): the first epoch whose test accuracy is
     *                                at least the target and the images trained by then, or {@code null}
     * @param sameAs                  {@code null} when this run was trained; else the variant whose run at the same W
     *                                had the same settings once adapted to W, whose results (bit for bit the same,
     *                                as training is deterministic) are copied here instead of training it again
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Run(int workers, int averagingFrequency, int roundsPerEpoch, int imagesPerWorkerPerRound,
                      String outer, List<Epoch> epochs, Map<String, Reached> reached, String sameAs) {
        public Run {
            epochs = epochs == null ? List.of() : List.copyOf(epochs);
            reached = reached == null ? Map.of() : new LinkedHashMap<>(reached); // values may be null
        }

        /** What this run says about {@code target}: reached after so many images, not reached, or not recorded. */
        public Reach reach(double target) {
            for (Map.Entry<String, Reached> e : reached.entrySet()) {
                double threshold;
                try {
                    threshold = Double.parseDouble(e.getKey());
                } catch (NumberFormatException notANumber) {
                    continue;
                }
                if (Math.abs(threshold - target) < 1e-9) {
                    return e.getValue() == null ? Reach.NOT_REACHED
                            : new Reach(Reach.Status.REACHED, e.getValue().images(), e.getValue().epoch());
                }
            }
            return Reach.NOT_RECORDED;
        }
    }

    /**
     * @param epoch       1-based
     * @param accuracy    test accuracy after this epoch
     * @param loss        mean training loss of the epoch's averaging rounds
     * @param rounds      averaging rounds of this epoch
     * @param images      images trained in this epoch
     * @param wallSeconds the epoch's training time on the study's master (W workers sharing its cores)
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Epoch(int epoch, double accuracy, double loss, int rounds, long images, double wallSeconds) {
    }

    /** The first epoch at or above a target accuracy, and the images trained by its end. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Reached(int epoch, long images) {
    }

    /** A run's answer for one accuracy target: reached (after so many images, in which epoch), not reached, or not recorded. */
    public record Reach(Status status, long images, int epoch) {
        public enum Status { REACHED, NOT_REACHED, NOT_RECORDED }

        static final Reach NOT_REACHED = new Reach(Status.NOT_REACHED, 0, 0);
        static final Reach NOT_RECORDED = new Reach(Status.NOT_RECORDED, 0, 0);
    }

    /**
     * A variant's runs that speak for {@code workers}: those at exactly that W, else those at the largest W below
     * it that the study measured.
     */
    public record Match(Variant variant, int measuredWorkers, boolean exact, List<Run> runs) {
    }

    /** One {@link Match} per variant that has runs at or below {@code workers}. */
    public List<Match> matches(int workers) {
        List<Match> out = new ArrayList<>();
        for (Variant v : variants) {
            int best = -1;
            for (Run r : v.runs()) {
                if (r.workers() <= workers && r.workers() > best) {
                    best = r.workers();
                }
            }
            if (best > 0) {
                int w = best;
                out.add(new Match(v, w, w == workers, v.runs().stream().filter(r -> r.workers() == w).toList()));
            }
        }
        return out;
    }

    /** {@code reached} for the given epochs and targets. */
    static Map<String, Reached> reached(List<Epoch> epochs, List<Double> targets) {
        Map<String, Reached> out = new LinkedHashMap<>();
        for (double target : targets) {
            Reached first = null;
            long images = 0;
            for (Epoch e : epochs) {
                images += e.images();
                if (e.accuracy() >= target - 1e-12) {
                    first = new Reached(e.epoch(), images);
                    break;
                }
            }
            out.put(key(target), first);
        }
        return out;
    }

    /** A target as a JSON key: {@code 0.99}, {@code 0.985}. */
    static String key(double target) {
        return String.format(Locale.ROOT, "%s", Double.toString(target));
    }

    public String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the study as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Two tables per variant: test accuracy per worker count after each epoch, then rounds, images per worker per
     * round, and the epoch at which each target was first reached ({@code -} when not within the study).
     */
    public String table() {
        StringBuilder out = new StringBuilder();
        for (Variant v : variants) {
            out.append(String.format(Locale.ROOT, "%nVariant %s %s%n", v.name(), v.overrides().isEmpty() ? ""
                    : v.overrides().toString()));
            int epochs = v.runs().stream().mapToInt(r -> r.epochs().size()).max().orElse(0);
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-8s %-28s %6s %6s", "workers",
                    "outer step", "rounds", "img/wr"));
            for (int e = 1; e <= epochs; e++) {
                head.append(String.format(Locale.ROOT, " %7s", "ep " + e));
            }
            for (double t : targets) {
                head.append(String.format(Locale.ROOT, " %7s", ">=" + trim(t * 100)));
            }
            out.append(head).append('\n');
            for (Run r : v.runs()) {
                out.append(String.format(Locale.ROOT, "%-8s %-28s %6d %6d", r.workers() + (r.sameAs() == null ? "" : "*"),
                        r.outer(), r.roundsPerEpoch(), r.imagesPerWorkerPerRound()));
                for (int e = 0; e < epochs; e++) {
                    out.append(e < r.epochs().size() ? String.format(Locale.ROOT, " %7.4f", r.epochs().get(e).accuracy())
                            : String.format(Locale.ROOT, " %7s", ""));
                }
                for (double t : targets) {
                    Reached at = r.reached().get(key(t));
                    out.append(String.format(Locale.ROOT, " %7s", at == null ? "-" : "ep " + at.epoch()));
                }
                out.append('\n');
            }
        }
        out.append(String.format(Locale.ROOT, "%nrounds: averaging rounds per epoch; img/wr: images per worker per "
                + "round; ep N: test accuracy after epoch N (%,d test images); >=T: first epoch at or above T %%; "
                + "*: the same settings as an earlier variant at that W, not trained again.%n", testImages));
        return out.toString();
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** The chart: test accuracy against epochs, one panel per variant, one line per worker count (PNG). */
    public byte[] chart() {
        return io.sparkcnn.report.ReportCharts.panels(String.format(Locale.ROOT,
                "Test accuracy by workers (%s, %d per worker)", preset, batchSizePerWorker), "test accuracy", curves());
    }

    /** Accuracy per epoch per worker count, one map per variant (name to a series per {@code W = n}). */
    Map<String, Map<String, double[]>> curves() {
        Map<String, Map<String, double[]>> out = new LinkedHashMap<>();
        for (Variant v : variants) {
            Map<String, double[]> series = new LinkedHashMap<>();
            for (Run r : v.runs()) {
                series.put("W = " + r.workers(), r.epochs().stream().mapToDouble(Epoch::accuracy).toArray());
            }
            out.put(v.name(), series);
        }
        return out;
    }

    /** This result with {@code run} added to variant {@code name} (created at the end when absent). */
    ScalingResult with(String name, Map<String, String> overrides, Run run) {
        List<Variant> all = new ArrayList<>();
        boolean found = false;
        for (Variant v : variants) {
            if (v.name().equals(name)) {
                List<Run> runs = new ArrayList<>(v.runs());
                runs.add(run);
                all.add(new Variant(name, v.overrides(), List.copyOf(runs)));
                found = true;
            } else {
                all.add(v);
            }
        }
        if (!found) {
            all.add(new Variant(name, overrides, List.of(run)));
        }
        return new ScalingResult(preset, trainImages, testImages, batchSizePerWorker, averagingFrequency, master,
                targets, List.copyOf(all));
    }
}
