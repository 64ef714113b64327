package io.sparkcnn.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Predicted images per second and time to a target accuracy for every cluster of a grid (executors x cores x link
 * speed), from a {@link ClusterModel} and, when given, a {@link ScalingResult}; with the {@link TargetAdvice} per
 * link speed.
 *
 * <p>Time to the target at W workers = the images the study needed to reach it at W (or at the largest W below
 * that it measured, which the row says), with that run's variant and averaging frequency, divided by the
 * predicted images per second of that round. Without a study each cluster gets one row at the calibration's
 * averaging frequency and no time to the target.</p>
 *
 * @param model            the model the rows come from
 * @param batchSize        B of the rows, images per minibatch per worker (the study's, else the calibration's)
 * @param target           test accuracy to reach, 0-1
 * @param deadlineSeconds  time allowed, s
 * @param rows             one per cluster and (with a study) per run that speaks for its W
 * @param advice           one per link speed
 */
public record Plan(ClusterModel model, int batchSize, double target, double deadlineSeconds, List<Row> rows,
                   List<TargetAdvice> advice) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Plan {
        rows = List.copyOf(rows);
        advice = List.copyOf(advice);
    }

    /**
     * One cluster at one averaging schedule.
     *
     * @param cluster          executors, cores, link
     * @param variant          the study's variant ({@code -} without a study)
     * @param round            the predicted round
     * @param measuredWorkers  the W of the study's run used (0: none)
     * @param reach            what that run says about the target
     * @param secondsToTarget  images to the target / predicted images per second, s (NaN when unknown)
     */
    public record Row(ClusterModel.Cluster cluster, String variant, ClusterModel.Round round, int measuredWorkers,
                      ScalingResult.Reach reach, double secondsToTarget) {
        public boolean reachesTarget() {
            return reach.status() == ScalingResult.Reach.Status.REACHED;
        }

        public long imagesToTarget() {
            return reach.images();
        }

        /** Where the images to the target come from, in words. */
        public String source() {
            if (measuredWorkers == 0) {
                return "no study run at or below W=" + cluster.workers();
            }
            String at = measuredWorkers == cluster.workers() ? "measured at W=" + measuredWorkers
                    : "nearest measured W=" + measuredWorkers + " below " + cluster.workers();
            return switch (reach.status()) {
                case REACHED -> at + ", epoch " + reach.epoch();
                case NOT_REACHED -> "not reached in the study, " + at;
                case NOT_RECORDED -> "target not recorded in the study, " + at;
            };
        }
    }

    /**
     * @param model                the calibrated model
     * @param calibrationBatchSize B of the calibration; c and d are taken as proportional to B when the study's
     *                             differs
     * @param calibrationFrequency F for the rows when there is no study
     * @param study                the scaling study, or null
     * @param executors            N values
     * @param cores                C values
     * @param gbits                link speeds, Gbit/s
     * @param hostCores            cores all workers share (0: each has its own)
     * @param coreEfficiency       e for executors of more than one core
     */
    public static Plan build(ClusterModel model, int calibrationBatchSize, int calibrationFrequency,
                             ScalingResult study, List<Integer> executors, List<Integer> cores, List<Double> gbits,
                             int hostCores, double coreEfficiency, double target, double deadlineSeconds) {
        int batchSize = study != null && study.batchSizePerWorker() > 0 ? study.batchSizePerWorker()
                : calibrationBatchSize;
        ClusterModel scaled = model;
        if (batchSize != calibrationBatchSize) {
            double k = (double) batchSize / calibrationBatchSize;
            ClusterModel.Calibration c = model.calibration();
            scaled = new ClusterModel(model.bytes(), model.aggregation(), new ClusterModel.Calibration(
                    c.computeMsPerBatch() * k, c.dataMsPerBatch() * k, c.latencyMs(), c.taskSetupMs()));
        }
        List<Row> rows = new ArrayList<>();
        for (double link : gbits) {
            for (int n : executors) {
                for (int c : cores) {
                    ClusterModel.Cluster cluster = new ClusterModel.Cluster(n, c, link, hostCores, coreEfficiency);
                    List<ScalingResult.Match> matches = study == null ? List.of() : study.matches(cluster.workers());
                    if (matches.isEmpty()) {
                        rows.add(new Row(cluster, study == null ? "-" : "(none)",
                                scaled.round(cluster, batchSize, calibrationFrequency), 0,
                                ScalingResult.Reach.NOT_RECORDED, Double.NaN));
                    }
                    for (ScalingResult.Match m : matches) {
                        for (ScalingResult.Run run : m.runs()) {
                            ClusterModel.Round round = scaled.round(cluster, batchSize, run.averagingFrequency());
                            ScalingResult.Reach reach = run.reach(target);
                            double seconds = reach.status() == ScalingResult.Reach.Status.REACHED
                                    ? reach.images() / round.imagesPerSecond() : Double.NaN;
                            rows.add(new Row(cluster, m.variant().name(), round, m.measuredWorkers(), reach, seconds));
                        }
                    }
                }
            }
        }
        return new Plan(scaled, batchSize, target, deadlineSeconds, rows,
                TargetAdvice.recommend(rows, target, deadlineSeconds));
    }

    /** The rows as a fixed-width table, then the advice per link speed. */
    public String table() {
        ClusterModel.Bytes b = model.bytes();
        ClusterModel.Calibration c = model.calibration();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Cluster model: c = %.1f ms compute + d = %.1f ms data per minibatch of "
                        + "%d per core, fixed %.0f ms + %.0f ms per task per round; bytes per round: broadcast %,d to each "
                        + "executor, %,d per partial sum to the driver, %,d per shuffle record; %s%n",
                c.computeMsPerBatch(), c.dataMsPerBatch(), batchSize, c.latencyMs(), c.taskSetupMs(),
                b.broadcast(), b.result(), b.shuffleRecord(), model.aggregation().describe()));
        String format = "%5s | %4s | %5s | %-10s | %4s | %6s | %9s | %8s | %8s | %8s | %8s | %-14s | %10s | %s%n";
        out.append(String.format(Locale.ROOT, format, "Gbit", "N", "C x", "variant", "F", "W", "img/s", "round s",
                "compute", "comm", "latency", "shuffle>driver", "to " + target, "images from"));
        out.append("-".repeat(150)).append('\n');
        for (Row r : rows) {
            ClusterModel.Round round = r.round();
            ClusterModel.Tree tree = round.tree();
            String shape = (tree.shuffles() ? tree.levels().get(0) + " red." : "none") + ">" + tree.toDriver();
            out.append(String.format(Locale.ROOT, format, gbits(r.cluster().gbits()), r.cluster().executors(),
                    r.cluster().coresPerExecutor(), r.variant(), round.frequency(), r.cluster().workers(),
                    String.format(Locale.ROOT, "%.0f", round.imagesPerSecond()),
                    String.format(Locale.ROOT, "%.2f", round.roundMs() / 1000),
                    String.format(Locale.ROOT, "%.2f", round.computeMs() / 1000),
                    String.format(Locale.ROOT, "%.2f", round.communicationMs() / 1000),
                    String.format(Locale.ROOT, "%.2f", round.latencyMs() / 1000), shape,
                    Double.isNaN(r.secondsToTarget()) ? "-" : duration(r.secondsToTarget()), r.source()));
        }
        for (TargetAdvice a : advice) {
            out.append(System.lineSeparator()).append("Advice: ").append(a.text());
        }
        out.append(System.lineSeparator());
        return out.toString();
    }

    /** The plan as indented JSON: model inputs, every row with its split of the round, and the advice. */
    public String json() {
        ObjectNode root = JSON.createObjectNode();
        ClusterModel.Calibration c = model.calibration();
        ClusterModel.Bytes b = model.bytes();
        root.put("target", target).put("deadlineSeconds", deadlineSeconds).put("batchSizePerWorker", batchSize);
        root.putObject("calibration").put("computeMsPerBatch", c.computeMsPerBatch())
                .put("dataMsPerBatch", c.dataMsPerBatch()).put("latencyMs", c.latencyMs())
                .put("taskSetupMs", c.taskSetupMs());
        root.putObject("bytesPerRound").put("broadcastPerExecutor", b.broadcast())
                .put("resultPerPartialSum", b.result()).put("shuffleRecord", b.shuffleRecord());
        root.put("aggregation", model.aggregation().describe());
        ArrayNode rowsNode = root.putArray("rows");
        for (Row r : rows) {
            ClusterModel.Round round = r.round();
            ObjectNode row = rowsNode.addObject();
            row.put("gbits", r.cluster().gbits()).put("executors", r.cluster().executors())
                    .put("coresPerExecutor", r.cluster().coresPerExecutor()).put("workers", r.cluster().workers())
                    .put("variant", r.variant()).put("averagingFrequency", round.frequency())
                    .put("imagesPerSecond", round.imagesPerSecond()).put("roundMs", round.roundMs())
                    .put("computeMs", round.computeMs()).put("broadcastMs", round.broadcastMs())
                    .put("shuffleMs", round.shuffleMs()).put("collectMs", round.collectMs())
                    .put("latencyMs", round.latencyMs())
                    .put("shuffleReducers", round.tree().shuffles() ? round.tree().levels().get(0) : 0)
                    .put("partialSumsToDriver", round.tree().toDriver())
                    .put("studyWorkers", r.measuredWorkers()).put("studyExact",
                            r.measuredWorkers() == r.cluster().workers())
                    .put("reach", r.reach().status().name());
            if (r.reachesTarget()) {
                row.put("imagesToTarget", r.imagesToTarget()).put("secondsToTarget", r.secondsToTarget());
            } else {
                row.putNull("imagesToTarget").putNull("secondsToTarget");
            }
        }
        ArrayNode adv = root.putArray("advice");
        for (TargetAdvice a : advice) {
            ObjectNode node = adv.addObject().put("gbits", a.gbits()).put("meetsDeadline", a.choice().isPresent());
            a.choice().ifPresent(r -> node.put("executors", r.cluster().executors())
                    .put("coresPerExecutor", r.cluster().coresPerExecutor()).put("workers", r.cluster().workers())
                    .put("variant", r.variant()).put("averagingFrequency", r.round().frequency())
                    .put("secondsToTarget", r.secondsToTarget()));
            node.put("text", a.text());
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the plan as JSON", e);
        }
    }

    static String gbits(double g) {
        return g == Math.rint(g) ? Long.toString((long) g) : Double.toString(g);
    }

    /** Seconds as {@code 42 s}, {@code 12.5 min} or {@code 3.2 h}. */
    static String duration(double seconds) {
        if (seconds < 120) {
            return String.format(Locale.ROOT, "%.0f s", seconds);
        }
        if (seconds < 2 * 3600) {
            return String.format(Locale.ROOT, "%.1f min", seconds / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }

    /** A duration such as {@code 900}, {@code 900s}, {@code 15m}, {@code 1.5h}, in seconds. */
    public static double parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        double unit = 1;
        if (t.endsWith("h")) {
            unit = 3600;
        } else if (t.endsWith("m") || t.endsWith("min")) {
            unit = 60;
        }
        String number = t.replaceAll("(min|h|m|s)$", "");
        try {
            double v = Double.parseDouble(number) * unit;
            if (!(v > 0)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: " + text + " (e.g. 900s, 15m, 1.5h)");
        }
    }
}
