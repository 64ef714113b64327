package io.sparkcnn.cli;

import io.sparkcnn.bench.ClusterModel;
import io.sparkcnn.bench.ModelCalibration;
import io.sparkcnn.bench.Plan;
import io.sparkcnn.bench.ScalingResult;
import io.sparkcnn.bench.WireBytes;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.model.NetworkFactory;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.store.HadoopFiles;
import org.apache.spark.SparkConf;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Predicts images per second and time to a target accuracy for clusters of N executors x C cores at given link
 * speeds ({@link ClusterModel}, calibrated by {@code bench} runs, with the images to the target from a scaling
 * study), recommends the cheapest configuration that meets a deadline ({@link io.sparkcnn.bench.TargetAdvice}),
 * and with {@code --validate} compares its predictions with measured {@code bench} runs. Writes the plan as JSON.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Predict cluster throughput and time to a target accuracy; recommend workers and averaging.")
final class PlanCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = "--calibration", split = ",", required = true, paramLabel = "JSON",
            description = "bench JSON(s) whose Spark training phases calibrate the model (any Hadoop path).")
    List<String> calibration;

    @Option(names = "--calibration-gbits", defaultValue = "10", paramLabel = "G",
            description = "Link speed the calibration runs had, Gbit/s; loopback is an assumption (default: ${DEFAULT-VALUE}).")
    double calibrationGbits;

    @Option(names = "--calibration-host-cores", defaultValue = "0", paramLabel = "N",
            description = "Cores the calibration runs' workers shared on one machine, 0 = each its own (default: ${DEFAULT-VALUE}).")
    int calibrationHostCores;

    @Option(names = "--calibration-cores-per-executor", defaultValue = "1", paramLabel = "C",
            description = "Cores per executor in the calibration runs on a cluster (default: ${DEFAULT-VALUE}).")
    int calibrationCores;

    @Option(names = "--study", paramLabel = "JSON", description = "Scaling study (bench --scale) with the images to each accuracy.")
    String study;

    @Option(names = "--executors", split = ",", defaultValue = "2,4,8,16,32,64", paramLabel = "N",
            description = "Executor counts to predict (default: ${DEFAULT-VALUE}).")
    List<Integer> executors;

    @Option(names = "--cores", split = ",", defaultValue = "1,4", paramLabel = "C",
            description = "Cores per executor to predict (default: ${DEFAULT-VALUE}).")
    List<Integer> cores;

    @Option(names = "--gbits", split = ",", defaultValue = "1,10,25", paramLabel = "G",
            description = "Link speeds to predict, Gbit/s (default: ${DEFAULT-VALUE}).")
    List<Double> gbits;

    @Option(names = "--target", defaultValue = "0.99", paramLabel = "ACC",
            description = "Test accuracy to reach (default: ${DEFAULT-VALUE}).")
    double target;

    @Option(names = "--deadline", defaultValue = "15m", paramLabel = "TIME",
            description = "Time allowed to reach it: 900s, 15m, 1.5h (default: ${DEFAULT-VALUE}).")
    String deadline;

    @Option(names = "--host-cores", defaultValue = "0", paramLabel = "N",
            description = "Cores the predicted workers share (one machine), 0 = each its own (default: ${DEFAULT-VALUE}).")
    int hostCores;

    @Option(names = "--core-efficiency", defaultValue = "1", paramLabel = "E",
            description = "Speed of each core of a multi-core executor relative to a one-core executor, (0, 1] (default: ${DEFAULT-VALUE}).")
    double coreEfficiency;

    @Option(names = "--aggregation", defaultValue = "ordered", paramLabel = "PATTERN",
            description = "ordered (the job's two-level tree in partition order) or spark-tree (DL4J's own "
                    + "treeAggregate, depth 2) (default: ${DEFAULT-VALUE}).")
    String aggregation;

    @Option(names = "--validate", split = ",", paramLabel = "JSON",
            description = "bench JSON(s) whose measured images/s to compare with the model's prediction.")
    List<String> validate = new ArrayList<>();

    @Option(names = "--json", paramLabel = "PATH", defaultValue = "target/plan/plan.json",
            description = "Where to write the plan as JSON, any Hadoop filesystem path (default: ${DEFAULT-VALUE}).")
    String json;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        double deadlineSeconds;
        try {
            deadlineSeconds = Plan.parseDuration(deadline);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        ClusterModel.Aggregation pattern = switch (aggregation) {
            case "spark-tree" -> ClusterModel.sparkTreeAggregate();
            case "ordered" -> ClusterModel.orderedTwoLevel();
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--aggregation must be spark-tree or ordered, got " + aggregation);
        };
        JobConfig cfg = options.load();
        List<ModelCalibration.Run> runs = new ArrayList<>();
        for (String path : calibration) {
            runs.addAll(readRuns(path));
        }
        if (runs.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no Spark training phase in " + calibration);
        }
        WireBytes.Measured measured = measureBytes(cfg);
        ClusterModel uncalibrated = new ClusterModel(measured.bytes(), pattern,
                new ClusterModel.Calibration(0, 0, 0, 0));
        ClusterModel model = new ClusterModel(measured.bytes(), pattern,
                ModelCalibration.fit(runs, uncalibrated, calibrationGbits, calibrationHostCores));
        ScalingResult scaling = study == null ? null : readStudy(study);
        int calibrationBatch = runs.get(0).phase().batchSize();
        int calibrationFrequency = runs.get(0).phase().averagingFrequency();
        Plan plan = Plan.build(model, calibrationBatch, calibrationFrequency, scaling, executors, cores, gbits,
                hostCores, coreEfficiency, target, deadlineSeconds);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "Measured bytes (Kryo with %s): %,d parameters, %,d updater-state values; broadcast "
                        + "%,d Kryo (%,d after LZ4) to each executor; partial sum %,d as a task result, %,d as a "
                        + "shuffle record (%,d after LZ4); the model takes the Kryo sizes%n",
                SparkSessions.KRYO_REGISTRATOR, measured.parameters(), measured.updaterState(),
                measured.broadcastKryo(), measured.broadcastShipped(), measured.result(), measured.shuffleKryo(),
                measured.shuffleLz4());
        out.printf(Locale.ROOT, "Calibrated on %d Spark phase(s) at an assumed %s Gbit/s, host cores %d%n",
                runs.size(), Double.toString(calibrationGbits), calibrationHostCores);
        out.print(plan.table());
        String validation = validation(model);
        out.print(validation);
        write(plan.json());
        return ExitCodes.OK;
    }

    /** Predicted against measured images/s for every Spark training phase of the --validate files. */
    private String validation(ClusterModel model) {
        if (validate.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "%nPredicted against measured (each run "
                + "as it ran: its W, F and B, %s Gbit/s, host cores %d):%n", Double.toString(calibrationGbits),
                calibrationHostCores));
        text.append(String.format(Locale.ROOT, "  %-26s %3s %4s %4s %12s %12s %8s%n", "where", "W", "F", "B",
                "measured", "predicted", "error"));
        for (String path : validate) {
            for (ModelCalibration.Run run : readRuns(path)) {
                var p = run.phase();
                ClusterModel.Cluster cluster = new ClusterModel.Cluster(run.executors(),
                        Math.max(1, p.workers() / run.executors()), calibrationGbits, calibrationHostCores, 1);
                ClusterModel.Round round = model.round(cluster, p.batchSize(), p.averagingFrequency());
                double ms = round.roundMs() - (run.local() ? round.communicationMs() : 0);
                double predicted = (double) p.workers() * p.batchSize() * p.averagingFrequency() * 1000 / ms;
                double measured = p.imagesPerSecond();
                text.append(String.format(Locale.ROOT, "  %-26s %3d %4d %4d %12.1f %12.1f %+7.1f%%%n", p.where(),
                        p.workers(), p.averagingFrequency(), p.batchSize(), measured, predicted,
                        100 * (predicted - measured) / measured));
            }
        }
        return text.toString();
    }

    private WireBytes.Measured measureBytes(JobConfig cfg) {
        int side = 28;
        MultiLayerNetwork net = new MultiLayerNetwork(NetworkFactory.build(cfg.model().network(), cfg.train().seed(),
                side, side));
        net.init();
        SparkConf conf = SparkSessions.configure(new SparkConf(false).setMaster("local[1]"), cfg);
        return WireBytes.measure(net, conf, side * side, LabeledImages.NUM_CLASSES);
    }

    private List<ModelCalibration.Run> readRuns(String path) {
        try {
            return ModelCalibration.read(HadoopFiles.readText(path), calibrationCores);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read bench JSON " + path + ": "
                    + e.getMessage());
        }
    }

    private ScalingResult readStudy(String path) {
        try {
            return ScalingResult.parse(HadoopFiles.readText(path));
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read scaling study " + path + ": "
                    + e.getMessage());
        }
    }

    private void write(String text) {
        spec.commandLine().getOut().println("Written to "
                + HadoopFiles.write(json, text.getBytes(StandardCharsets.UTF_8), "the plan"));
    }
}
