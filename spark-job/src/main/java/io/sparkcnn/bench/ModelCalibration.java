package io.sparkcnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link ClusterModel.Calibration} from one or more {@code bench} runs on Spark: their per-minibatch compute
 * and data times and their per-round overhead, less the communication the model predicts for the calibration
 * cluster (its measured overhead minus that is the fixed latency).
 */
public final class ModelCalibration {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCalibration() {
    }

    /**
     * One Spark training phase of a {@code bench} run, with where it ran.
     *
     * @param phase     the measured phase
     * @param executors executors it ran on (1 for {@code local[N]}, where nothing crosses a network)
     * @param local     whether it ran in {@code local[N]} (no communication)
     */
    public record Run(PhaseResult phase, int executors, boolean local) {
        public int workers() {
            return phase.workers();
        }
    }

    /**
     * The Spark training phases of a {@code bench} JSON (see {@link BenchResult#json()}); on a standalone master
     * each worker is taken as an executor of {@code coresPerExecutor} cores.
     */
    public static List<Run> read(String json, int coresPerExecutor) throws IOException {
        JsonNode root = JSON.readTree(json);
        List<Run> runs = new ArrayList<>();
        for (JsonNode p : root.path("phases")) {
            String where = p.path("where").asText();
            if (!p.path("phase").asText().equals("train") || where.equals("process")) {
                continue;
            }
            PhaseResult phase = new PhaseResult(p.path("repeat").asInt(1), "train", where, p.path("workers").asInt(),
                    p.path("batchSize").asInt(), p.path("averagingFrequency").asInt(), p.path("rounds").asInt(),
                    p.path("images").asLong(), p.path("wallSeconds").asDouble(), p.path("cpuSeconds").asDouble(),
                    p.path("cpuSource").asText(), p.path("computeShare").asDouble(),
                    p.path("averagingShare").asDouble(), p.path("dataShare").asDouble(),
                    p.path("accuracy").isNumber() ? p.path("accuracy").asDouble() : Double.NaN, Map.of());
            boolean local = where.startsWith("local");
            int executors = local ? 1 : Math.max(1, phase.workers() / Math.max(1, coresPerExecutor));
            runs.add(new Run(phase, executors, local));
        }
        return runs;
    }

    /**
     * c and d as the mean over the runs of each run's per-minibatch times divided by its core sharing
     * {@code s = max(1, W / hostCores)}; the fixed latency {@code a + t s} fitted by least squares to each run's
     * overhead per round minus the communication {@code model} predicts for it at {@code gbits} ({@code t} only
     * when the runs have at least two different s, and never below 0; else all of it is {@code a}).
     *
     * @param model     bytes and aggregation pattern (its calibration is ignored)
     * @param gbits     link speed the calibration runs had, Gbit/s (loopback on the development cluster: an
     *                  assumption)
     * @param hostCores cores the calibration runs' workers shared (0: each had its own)
     */
    public static ClusterModel.Calibration fit(List<Run> runs, ClusterModel model, double gbits, int hostCores) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no Spark training phase to calibrate with");
        }
        double c = 0;
        double d = 0;
        double[] w = new double[runs.size()]; // the core sharing s of each run
        double[] fixed = new double[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            Run run = runs.get(i);
            PhaseResult p = run.phase();
            double share = hostCores > 0 ? Math.max(1.0, (double) p.workers() / hostCores) : 1.0;
            c += p.computeMsPerBatch() / share;
            d += p.dataMsPerBatch() / share;
            double comm = run.local() ? 0 : model.communicationMs(new ClusterModel.Cluster(run.executors(),
                    Math.max(1, p.workers() / run.executors()), gbits, hostCores, 1));
            w[i] = share;
            fixed[i] = p.overheadMsPerRound() - comm;
        }
        c /= runs.size();
        d /= runs.size();
        double meanW = mean(w);
        double meanFixed = mean(fixed);
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < w.length; i++) {
            sxx += (w[i] - meanW) * (w[i] - meanW);
            sxy += (w[i] - meanW) * (fixed[i] - meanFixed);
        }
        double b = sxx > 0 ? Math.max(0, sxy / sxx) : 0;
        double a = Math.max(0, meanFixed - b * meanW);
        return new ClusterModel.Calibration(c, d, a, b);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
