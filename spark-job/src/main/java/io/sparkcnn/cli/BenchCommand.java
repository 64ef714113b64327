package io.sparkcnn.cli;

import io.sparkcnn.bench.BenchResult;
import io.sparkcnn.bench.Benchmark;
import io.sparkcnn.bench.ScalingResult;
import io.sparkcnn.bench.ScalingStudy;
import io.sparkcnn.bench.TimeToAccuracy;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.store.HadoopFiles;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Measures the job's training and evaluation speed ({@link Benchmark}): DL4J in this process, then the Spark path
 * on {@code local[1]} and {@code local[2]}, or on the master {@code spark-submit} gave; prints a table with the
 * advice and writes it as JSON. With {@code --scale}, a scaling study instead ({@link ScalingStudy}): test accuracy
 * per epoch for each worker count and variant, as a table, JSON and a chart.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training and evaluation speed in one process and on Spark, with advice on averaging; "
                + "with --scale, how test accuracy scales with the number of workers.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Mixin
    private ConfigOptions options = new ConfigOptions();

    @Option(names = "--masters", split = ",", paramLabel = "URL",
            description = "Spark masters for the Spark phases (default: the one spark-submit set, else local[1],local[2]).")
    List<String> masters;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "1",
            description = "Run the whole sequence N times, interleaved, and report medians and ranges "
                    + "(default: ${DEFAULT-VALUE}).")
    int repeat;

    private static final String DEFAULT_JSON = "target/bench/bench.json";

    @Option(names = "--json", paramLabel = "PATH", defaultValue = DEFAULT_JSON,
            description = "Where to write the result as JSON, any Hadoop filesystem path (default: ${DEFAULT-VALUE}; "
                    + "target/bench/scale.json with --scale).")
    String json;

    @Option(names = "--scale", split = ",", paramLabel = "W",
            description = "Scaling study instead of the speed benchmark: train the configuration for train.epochs "
                    + "with each of these worker counts (e.g. 1,2,4,8,16,32) and report the test accuracy after every "
                    + "epoch. The workers are partitions of the master's cores: accuracy is a cluster's of W "
                    + "executors exactly, time is this master's.")
    List<Integer> scale;

    @Option(names = "--variant", paramLabel = "NAME:KEY=VALUE[,KEY=VALUE...]",
            description = "With --scale: a variant of the configuration to study, e.g. "
                    + "'nesterov:train.outer.method=nesterov,train.outer.lr=0.7,train.outer.momentum=0.9' "
                    + "(repeatable; one chart panel each; default: the configuration as it is, named 'as-configured').")
    List<String> variants;

    @Option(names = "--targets", split = ",", paramLabel = "ACCURACY", defaultValue = "0.985,0.99,0.992",
            description = "With --scale: report the first epoch at or above each of these test accuracies "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Double> targets;

    @Option(names = "--chart", paramLabel = "PATH", defaultValue = "target/bench/scale.png",
            description = "With --scale: where to write the chart, test accuracy against epochs, one panel per variant "
                    + "(default: ${DEFAULT-VALUE}; the JSON goes to --json, default target/bench/scale.json).")
    String chart;

    @Option(names = "--time-to-accuracy", paramLabel = "ACCURACY",
            description = "Time to accuracy instead of the speed benchmark: train for up to train.epochs, evaluating "
                    + "every --eval-every-images images, and report the training wall time, evaluations excluded, "
                    + "until the held-out accuracy first reaches ACCURACY (e.g. 0.99).")
    Double timeToAccuracy;

    @Option(names = "--eval-every-images", paramLabel = "N", defaultValue = "6400",
            description = "With --time-to-accuracy: evaluate after the first averaging round past every N training images "
                    + "(default: ${DEFAULT-VALUE}, TensorFlow's 50 iterations of 128).")
    long evalEveryImages;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (repeat < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repeat must be at least 1, got " + repeat);
        }
        if (scale != null) {
            return study();
        }
        if (timeToAccuracy != null) {
            return timeToAccuracy();
        }
        JobConfig cfg = options.load();
        BenchResult result = Benchmark.run(cfg, masters != null ? masters : defaultMasters(), repeat);
        spec.commandLine().getOut().print(result.table());
        spec.commandLine().getOut().println("Written to "
                + HadoopFiles.write(json, result.json().getBytes(StandardCharsets.UTF_8), "the benchmark"));
        return ExitCodes.OK;
    }

    private int timeToAccuracy() {
        if (!(timeToAccuracy > 0 && timeToAccuracy <= 1) || evalEveryImages < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--time-to-accuracy takes an accuracy in (0, 1] "
                    + "and --eval-every-images a positive count, got " + timeToAccuracy + " and " + evalEveryImages);
        }
        JobConfig cfg = options.load();
        SparkSession spark = SparkSessions.create(cfg);
        try {
            TimeToAccuracy.Result result = TimeToAccuracy.run(spark, cfg, timeToAccuracy, evalEveryImages);
            spec.commandLine().getOut().print(TimeToAccuracy.table(result));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } finally {
            spark.stop();
        }
    }

    private int study() {
        for (int w : scale) {
            if (w < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--scale takes worker counts of at least 1, got " + w);
            }
        }
        for (double t : targets) {
            if (!(t > 0 && t <= 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--targets are accuracies in (0, 1], got " + t);
            }
        }
        List<ScalingStudy.Variant> all = new ArrayList<>();
        for (String v : variants != null ? variants : List.of("as-configured:")) {
            int colon = v.indexOf(':');
            if (colon <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--variant must be NAME:KEY=VALUE[,KEY=VALUE...], got '" + v + "'");
            }
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String kv : v.substring(colon + 1).split(",")) {
                if (kv.isBlank()) {
                    continue;
                }
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--variant " + v.substring(0, colon) + ": expected KEY=VALUE, got '" + kv + "'");
                }
                overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
            List<String> sets = new ArrayList<>(options.overrides());
            overrides.forEach((k, value) -> sets.add(k + "=" + value));
            all.add(new ScalingStudy.Variant(v.substring(0, colon), overrides,
                    ConfigOptions.load(options.configFile, sets)));
        }
        String jsonPath = json.equals(DEFAULT_JSON) ? "target/bench/scale.json" : json;
        JobConfig first = all.get(0).config();
        SparkSession spark = SparkSessions.create(first);
        try {
            ScalingResult result = ScalingStudy.run(JavaSparkContext.fromSparkContext(spark.sparkContext()), all, scale,
                    targets, soFar -> HadoopFiles.write(jsonPath, soFar.json().getBytes(StandardCharsets.UTF_8),
                            "the study"));
            spec.commandLine().getOut().print(result.table());
            spec.commandLine().getOut().println("Written to "
                    + HadoopFiles.write(jsonPath, result.json().getBytes(StandardCharsets.UTF_8), "the study")
                    + " and " + HadoopFiles.write(chart, result.chart(), "the chart"));
        } finally {
            spark.stop();
        }
        return ExitCodes.OK;
    }

    private static List<String> defaultMasters() {
        String submitted = new SparkConf().get("spark.master", "");
        return submitted.isEmpty() || submitted.startsWith("local") ? List.of("local[1]", "local[2]")
                : List.of(submitted);
    }
}
