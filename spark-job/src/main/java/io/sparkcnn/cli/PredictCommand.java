package io.sparkcnn.cli;

import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.PngImageReader;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.predict.Classifier;
import io.sparkcnn.predict.Inputs;
import io.sparkcnn.predict.LocalPredictor;
import io.sparkcnn.predict.Prediction;
import io.sparkcnn.predict.PredictionWriter;
import io.sparkcnn.predict.SparkPredictor;
import io.sparkcnn.runtime.SparkSessions;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.ModelStore;
import io.sparkcnn.store.OutputException;
import io.sparkcnn.store.SavedModel;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Classifies PNG files or CSV rows with a stored model: in this JVM, streaming in minibatches
 * ({@link LocalPredictor}), or with {@code --spark} as a Spark batch job ({@link SparkPredictor}) on the master
 * {@code spark-submit} gives, else {@code spark.fallback-master}. One record per input on standard output or in
 * {@code --output} (see {@link PredictionWriter} for the columns). Bad inputs exit with
 * {@link ExitCodes#BAD_DATA}, a model that cannot be loaded (or fails its checksums) with
 * {@link ExitCodes#OUTPUT_FAILED}.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify PNG files or the rows of a CSV with a stored model, in this JVM or (--spark) as a "
                + "Spark batch job. Prints one line per input: source (file or CSV row), predicted label, its probability.",
                "PNGs (grey, colour or palette, 1-16 bits, any transparency) must have the model's input size "
                        + "(28x28 for MNIST) unless --resize; dark ink on a light background is found and inverted "
                        + "(--polarity). CSVs: Kaggle digit-recognizer rows with or without a label column. A bad "
                        + "input stops the command (exit 3) naming it; nothing is written to --output then."})
final class PredictCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(PredictCommand.class);

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "LOCATION",
            description = "Model: an output directory (model.zip inside), a model file, or a registry (its LATEST "
                    + "version unless --version); local path, file:// or hdfs://.")
    String model;

    @Option(names = "--version", paramLabel = "ID",
            description = "Registry version to load (an id under versions/, or LATEST); checksums are verified.")
    String version;

    @Parameters(paramLabel = "FILE.png", arity = "0..*", description = "PNG files to classify, in this order.")
    List<String> pngs = new ArrayList<>();

    @Option(names = "--csv", paramLabel = "FILE", description = "Classify every row of this CSV instead of PNG files.")
    String csv;

    @Option(names = "--spark", description = "Run as a Spark batch job: the executors read and classify the inputs.")
    boolean spark;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the predictions here (local, file:// or hdfs://) instead of standard output.")
    String output;

    @Option(names = "--overwrite", description = "Replace an existing --output file.")
    boolean overwrite;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1",
            description = "Also give the next K-1 most probable labels with their probabilities (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--format", paramLabel = "csv|json", defaultValue = "csv",
            description = "Output format: csv (RFC 4180 with a header row) or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--resize", description = "Scale PNGs of another size to the model's input size (area "
            + "averaging when shrinking, bilinear when enlarging).")
    boolean resize;

    @Option(names = "--polarity", paramLabel = "auto|light-on-dark|dark-on-light", defaultValue = "auto",
            description = "Which way round the PNGs' grey values are: auto (default) inverts an image whose border is "
                    + "light (dark ink on paper); light-on-dark (as MNIST) never inverts; dark-on-light always does. "
                    + "The output's 'inverted' column says what was done to each PNG.")
    String polarity;

    @Option(names = "--invert", description = "Shorthand for --polarity dark-on-light.")
    boolean invert;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "16777216",
            description = "Refuse PNGs whose header declares more pixels (width x height) than this, before decoding "
                    + "them (default: ${DEFAULT-VALUE}, 4096 x 4096).")
    long maxPixels;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Job configuration for the Spark session and native settings of --spark (e.g. conf/job.conf).")
    java.nio.file.Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one setting, e.g. --set spark.fallback-master=local[2] (repeatable).")
    List<String> overrides = new ArrayList<>();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        checkOptions();
        JobConfig cfg = ConfigOptions.load(configFile, overrides);
        if (!spark) {
            Configuration conf = new Configuration();
            return predict(conf, loadModel(conf), null);
        }
        SparkSession session = SparkSessions.create(cfg);
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
            return predict(sc.hadoopConfiguration(), loadModel(sc.hadoopConfiguration()), sc);
        } finally {
            session.stop();
        }
    }

    private void checkOptions() {
        if (pngs.isEmpty() == (csv == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give either PNG files or --csv FILE");
        }
        if (csv != null && (resize || invert || !polarity.equals("auto"))) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--resize, --polarity and --invert apply to PNG files only");
        }
        if (!List.of("auto", "light-on-dark", "dark-on-light").contains(polarity)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--polarity must be auto, light-on-dark or dark-on-light, got '" + polarity + "'");
        }
        if (invert && !polarity.equals("auto") && !polarity.equals("dark-on-light")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--invert contradicts --polarity " + polarity);
        }
        if (maxPixels < 1 || maxPixels > PngImageReader.MAX_MAX_PIXELS) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-pixels must be 1 to "
                    + PngImageReader.MAX_MAX_PIXELS + ", got " + maxPixels);
        }
        if (top < 1 || batchSize < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top and --batch-size must be at least 1");
        }
        if (!format.equals("csv") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be csv or json, got '" + format + "'");
        }
    }

    /** The model and its input contract (stored with it, or derived for a model saved before contracts). */
    private SavedModel loadModel(Configuration conf) {
        SavedModel loaded = version == null ? new ModelStore(conf).open(model) : new ModelRegistry(conf, model).open(version);
        LOG.info("Model {} takes {}", loaded.location(), loaded.input().describe());
        return loaded;
    }

    private int predict(Configuration conf, SavedModel saved, JavaSparkContext sc) throws IOException {
        InputContract input = saved.input();
        if (top > input.classes()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at most " + input.classes()
                    + ", the model's number of classes");
        }
        boolean labelled = csv != null && Inputs.csvHeader(conf, csv, input.height(), input.width()).labelled();
        PngImageReader.Options png = new PngImageReader.Options(input.height(), input.width(), resize,
                invert ? PngImageReader.Polarity.DARK_ON_LIGHT
                        : PngImageReader.Polarity.valueOf(polarity.toUpperCase(Locale.ROOT).replace('-', '_')), maxPixels);
        PredictionWriter.Format fmt = PredictionWriter.Format.valueOf(format.toUpperCase(Locale.ROOT));
        int[] count = {0};
        int[] invertedCount = {0};
        List<String> invertedFirst = new ArrayList<>();
        Sink sink = writer -> {
            try (PredictionWriter records = new PredictionWriter(writer, fmt, top, labelled, csv == null)) {
                java.util.function.Consumer<Prediction> counted = p -> {
                    count[0]++;
                    if (Boolean.TRUE.equals(p.inverted()) && invertedCount[0]++ < 5) {
                        invertedFirst.add(p.source());
                    }
                    records.accept(p);
                };
                if (sc != null) {
                    SparkPredictor job = new SparkPredictor(sc, saved.network(), input, batchSize);
                    (csv != null ? job.csv(csv) : job.pngs(pngs, png)).forEach(counted);
                } else {
                    LocalPredictor local = new LocalPredictor(new Classifier(saved.network(), input), conf, batchSize);
                    if (csv != null) {
                        local.csv(csv, counted);
                    } else {
                        local.pngs(pngs, png, counted);
                    }
                }
            }
        };
        PrintWriter out = spec.commandLine().getOut();
        if (output == null) {
            sink.write(out);
            out.flush();
        } else {
            Path written = writeFile(conf, sink);
            out.printf("Wrote %d predictions to %s%n", count[0], written);
            out.flush();
        }
        if (invertedCount[0] > 0 && png.polarity() == PngImageReader.Polarity.AUTO) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf("predict: %d of %d PNGs are dark ink on a light background (a light border) and were inverted "
                            + "to MNIST's light on dark: %s%s; --polarity light-on-dark keeps them as they are%n",
                    invertedCount[0], count[0], String.join(", ", invertedFirst), invertedCount[0] > 5 ? ", …" : "");
            err.flush();
        }
        return ExitCodes.OK;
    }

    /** Writes through a hidden partial file beside {@code --output}, renamed into place when complete. */
    private Path writeFile(Configuration conf, Sink sink) {
        Path target = new Path(output);
        Path partial = new Path(target.getParent(), "." + target.getName() + ".partial");
        // a private instance: no .crc side file beside the output, without changing the shared cached one
        try (FileSystem fs = FileSystem.newInstance(target.toUri(), conf)) {
            fs.setWriteChecksum(false);
            Path qualified = fs.makeQualified(target);
            if (fs.exists(target) && !overwrite) {
                throw new OutputException(qualified + " exists (use --overwrite)");
            }
            try {
                try (FSDataOutputStream stream = fs.create(partial, true);
                     Writer writer = new OutputStreamWriter(stream, StandardCharsets.UTF_8)) {
                    sink.write(writer);
                }
                if (fs.exists(target)) {
                    fs.delete(target, false);
                }
                if (!fs.rename(partial, target)) {
                    throw new IOException("could not rename " + partial + " to " + target);
                }
            } finally {
                fs.delete(partial, false);
            }
            return qualified;
        } catch (IOException e) {
            throw new OutputException(output + ": " + e.getMessage(), e);
        }
    }

    /** Writes all predictions to a writer (not closed). */
    @FunctionalInterface
    private interface Sink {
        void write(Writer writer) throws IOException;
    }
}
