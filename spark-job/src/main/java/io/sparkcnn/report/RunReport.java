package io.sparkcnn.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkcnn.config.DataConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.eval.EvaluationReport;
import io.sparkcnn.model.ModelSummary;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.jfree.chart.JFreeChart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of one training run: built from the files stored beside a model ({@value #EVALUATION_FILE},
 * {@value #RUN_FILE}, and {@value #HISTORY_FILE} when the run wrote one), the model itself and its held-out
 * images, and written as a Jupyter notebook ({@value #NOTEBOOK_FILE}) and a self-contained HTML page
 * ({@value #HTML_FILE}) with the same content: facts about the run, its configuration and model summary, loss
 * and accuracy curves (the loss per averaging round for a short run), the confusion matrix as a heat map,
 * per-class precision/recall/F1, the most confidently misclassified held-out images, and throughput and cluster
 * facts.
 *
 * <p>The held-out images are classified again on the driver, in this JVM (no Spark job), to find the worst
 * misclassified ones; everything else comes from the stored files.</p>
 */
public final class RunReport {
    /** The notebook's file name beside the model. */
    public static final String NOTEBOOK_FILE = "report.ipynb";
    /** The HTML page's file name beside the model. */
    public static final String HTML_FILE = "report.html";
    /** Evaluation beside the model (written by the training job). */
    public static final String EVALUATION_FILE = "evaluation.json";
    /** Run facts beside the model (written by the training job). */
    public static final String RUN_FILE = "run.json";
    /** Per-epoch history beside the model, when the run recorded one. */
    public static final String HISTORY_FILE = "history.json";
    /** Default number of misclassified images in the grid. */
    public static final int DEFAULT_WORST = 24;

    private static final Logger LOG = LoggerFactory.getLogger(RunReport.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final int GRID_COLUMNS = 8;
    private static final int GRID_SCALE = 3;
    /** Runs of at most this many epochs get their training loss drawn per averaging round. */
    static final int ROUND_LOSS_MAX_EPOCHS = 3;

    private RunReport() {
    }

    /**
     * The two report files.
     *
     * @param notebook {@value #NOTEBOOK_FILE}, nbformat 4.5 JSON
     * @param html     {@value #HTML_FILE}, UTF-8
     * @param document the content both were rendered from
     */
    public record Output(byte[] notebook, byte[] html, ReportDocument document) {
        /** File name to content, to store beside the model. */
        public Map<String, byte[]> files() {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(NOTEBOOK_FILE, notebook);
            files.put(HTML_FILE, html);
            return files;
        }
    }

    /**
     * Builds the report.
     *
     * @param location where the model is stored (shown in the report)
     * @param files    the side files by name: {@value #EVALUATION_FILE} and {@value #RUN_FILE} required,
     *                 {@value #HISTORY_FILE} optional; others are ignored
     * @param net      the trained network
     * @param heldOut  the held-out images it was evaluated on, in the evaluation's order
     * @param worst    how many misclassified images to show (at least 1)
     */
    public static Output build(String location, Map<String, byte[]> files, MultiLayerNetwork net, LabeledImages heldOut,
                               int worst) {
        long t0 = System.nanoTime();
        JsonNode run = tree(files, RUN_FILE);
        JsonNode evaluation = tree(files, EVALUATION_FILE);
        JsonNode history = files.containsKey(HISTORY_FILE) ? tree(files, HISTORY_FILE) : null;
        EvaluationReport eval;
        try {
            eval = EvaluationReport.fromConfusion(JSON.treeToValue(evaluation.get("confusion"), long[][].class));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(EVALUATION_FILE + " has no readable confusion matrix: " + e.getMessage(), e);
        }
        String role = history != null && history.hasNonNull("heldOut") ? history.get("heldOut").asText()
                : heldOutRole(run.path("config").path("data"));
        Misclassified.Predictions predictions = Misclassified.predict(net, heldOut);
        ReportDocument doc = document(location, run, eval, history, role, net, heldOut, predictions, worst);
        Output out = new Output(NotebookWriter.write(doc), HtmlWriter.write(doc), doc);
        LOG.info("Report of {}: {} figures, {} of {} {} images misclassified, built in {} s", location,
                doc.figureCount(), predictions.misses().size(), heldOut.count(), role,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        return out;
    }

    /**
     * The held-out images of a stored run: the data settings in {@value #RUN_FILE}, with every data file taken
     * from {@code dataDir} instead (same file names) when it is not blank.
     */
    public static LabeledImages heldOut(Configuration hadoopConf, Map<String, byte[]> files, String dataDir) {
        JsonNode data = tree(files, RUN_FILE).path("config").path("data");
        if (data.isMissingNode()) {
            throw new IllegalArgumentException(RUN_FILE + " has no config.data: cannot tell which images were held out");
        }
        ObjectNode copy = data.deepCopy();
        if (!copy.hasNonNull("labels")) {
            copy.putArray("labels");
        }
        if (dataDir != null && !dataDir.isBlank()) {
            for (String key : List.of("trainImages", "trainLabels", "testImages", "testLabels", "trainCsv", "testCsv")) {
                String path = copy.path(key).asText("");
                if (!path.isBlank()) {
                    copy.put(key, new Path(new Path(dataDir), new Path(path).getName()).toString());
                }
            }
        }
        DataConfig cfg;
        try {
            cfg = JSON.treeToValue(copy, DataConfig.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(RUN_FILE + ": cannot read config.data: " + e.getMessage(), e);
        }
        DatasetLoader loader = new DatasetLoader(hadoopConf);
        if (cfg.format().equals("idx")) {
            return loader.idx(cfg.testImages(), cfg.testLabels(), cfg.imageRows(), cfg.imageCols())
                    .withLabels(cfg.labels()).limit(cfg.testLimit());
        }
        return loader.load(cfg).test();
    }

    private static String heldOutRole(JsonNode data) {
        return "csv".equals(data.path("format").asText()) && data.path("testCsv").asText("").isBlank() ? "validation" : "test";
    }

    private static ReportDocument document(String location, JsonNode run, EvaluationReport eval, JsonNode history,
                                           String role, MultiLayerNetwork net, LabeledImages heldOut,
                                           Misclassified.Predictions predictions, int worst) {
        JsonNode cfg = run.path("config");
        String model = cfg.path("model").path("name").asText(cfg.path("model").path("preset").asText("model"));
        List<ReportDocument.Section> sections = new ArrayList<>();
        sections.add(new ReportDocument.Section("Summary", List.of(new ReportDocument.Table(List.of("fact", "value"),
                summaryRows(run, eval, role, model, location)))));
        JsonNode others = cfg.path("report").path("compareWith");
        if (others.size() > 0) {
            sections.add(comparisonSection(others, run, eval, role));
        }
        sections.add(new ReportDocument.Section("Model", List.of(new ReportDocument.Pre(summary(net.getLayerWiseConfigurations(),
                heldOut.rows(), heldOut.cols()).render()))));
        sections.add(curvesSection(run, history, role));
        sections.add(new ReportDocument.Section("Confusion matrix", List.of(
                new ReportDocument.Text("Rows are the actual class, columns the predicted class; each cell holds a count, its "
                        + "colour the fraction of its row. " + eval.examples() + " " + role + " images."),
                new ReportDocument.Figure("confusion matrix on the " + role + " set",
                        ReportCharts.confusionHeatMap(eval.confusion(), role),
                        "Heat map of the confusion matrix, " + eval.examples() + " " + role + " images"))));
        sections.add(perClassSection(eval, role));
        sections.add(worstSection(heldOut, predictions, worst, role));
        sections.add(throughputSection(run, history));
        sections.add(new ReportDocument.Section("Configuration", List.of(
                new ReportDocument.Text("The job's settings as the run used them (" + RUN_FILE + ", config)."),
                new ReportDocument.Pre(pretty(cfg)))));
        return new ReportDocument("Run report: " + model, location + " \u2014 report made " + Instant.now(), sections);
    }

    /** This run beside the runs quoted in {@code report.compare-with} (e.g. the lecture's), as a table. */
    private static ReportDocument.Section comparisonSection(JsonNode others, JsonNode run, EvaluationReport eval,
                                                            String role) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("this run", text(run.path("config").path("train").path("epochs")), fmt("%.4f", eval.accuracy()),
                fmt("%.2f", 100 * eval.accuracy()) + " %", "measured: " + eval.examples() + " " + role + " images"));
        for (JsonNode other : others) {
            double accuracy = other.path("accuracy").asDouble();
            rows.add(List.of(other.path("name").asText(), other.path("epochs").asText(), fmt("%.4f", accuracy),
                    fmt("%.2f", 100 * accuracy) + " %", other.path("note").asText()));
        }
        return new ReportDocument.Section("Beside other runs", List.of(
                new ReportDocument.Text("This run's " + role + " accuracy beside the runs quoted in the configuration "
                        + "(report.compare-with)."),
                new ReportDocument.Table(List.of("run", "epochs", role + " accuracy", "%", "source"), rows)));
    }

    private static List<List<String>> summaryRows(JsonNode run, EvaluationReport eval, String role, String model,
                                                  String location) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("model", model));
        rows.add(List.of("stored at", location));
        rows.add(List.of(role + " accuracy", fmt("%.4f", eval.accuracy())));
        rows.add(List.of(role + " macro F1", fmt("%.4f", eval.macroF1())));
        rows.add(List.of(role + " images", Long.toString(eval.examples())));
        rows.add(List.of("parameters", run.has("parameters") ? fmt("%,d", run.get("parameters").asLong()) : "unknown"));
        rows.add(List.of("epochs", text(run.path("config").path("train").path("epochs"))));
        rows.add(List.of("started", text(run.path("started"))));
        rows.add(List.of("finished", text(run.path("finished"))));
        return rows;
    }

    private static ReportDocument.Section curvesSection(JsonNode run, JsonNode history, String role) {
        List<ReportDocument.Block> blocks = new ArrayList<>();
        if (history != null && history.path("epochs").size() > 0) {
            JsonNode epochs = history.get("epochs");
            boolean perRound = lossPerRound(epochs);
            if (perRound) {
                blocks.add(new ReportDocument.Text("A short run: its training loss is drawn per averaging round (the "
                        + "mean over the workers of the loss of the last minibatch each fitted), beside the mean of each "
                        + "epoch's rounds. x is in epochs: round k of n in epoch e is at e \u2212 1 + k/n."));
            }
            blocks.add(new ReportDocument.Figure(perRound ? "training loss per averaging round and per epoch"
                    : "training loss per epoch", ReportCharts.png(lossChart(epochs), ReportCharts.WIDTH, ReportCharts.HEIGHT),
                    perRound ? "Line chart of the training loss per averaging round, with the mean per epoch"
                            : "Line chart of the training loss per epoch"));
            Map<String, double[]> accuracy = new LinkedHashMap<>();
            accuracy.put("training accuracy", column(epochs, "trainAccuracy"));
            accuracy.put(role + " accuracy", column(epochs, "validationAccuracy"));
            if (accuracy.values().stream().flatMapToDouble(java.util.Arrays::stream).anyMatch(v -> !Double.isNaN(v))) {
                blocks.add(new ReportDocument.Figure("training and " + role + " accuracy per epoch",
                        ReportCharts.curves("Accuracy", "accuracy", accuracy, true),
                        "Line chart of the training and " + role + " accuracy per epoch"));
            } else {
                blocks.add(new ReportDocument.Text("No accuracy was recorded per epoch in " + HISTORY_FILE + "."));
            }
        } else {
            double[] loss = column(run.path("epochLoss"), null);
            blocks.add(new ReportDocument.Figure("training loss per epoch (the last minibatch's loss, from " + RUN_FILE + ")",
                    ReportCharts.curves("Training loss", "loss", Map.of("training loss", loss), false),
                    "Line chart of the training loss per epoch"));
            blocks.add(new ReportDocument.Text("Accuracy curves are unavailable: this run stored no per-epoch history ("
                    + HISTORY_FILE + "). The final " + role + " accuracy is in the summary above."));
        }
        return new ReportDocument.Section("Loss and accuracy", blocks);
    }

    /**
     * The training loss chart of {@value #HISTORY_FILE}'s epochs: per averaging round ({@link
     * ReportCharts#roundLossChart}) when {@link #lossPerRound} says so, otherwise one point per epoch.
     */
    static JFreeChart lossChart(JsonNode epochs) {
        double[] means = column(epochs, "trainLoss");
        if (!lossPerRound(epochs)) {
            return ReportCharts.curvesChart("Training loss", "loss", Map.of("training loss", means), false);
        }
        List<double[]> rounds = new ArrayList<>();
        epochs.forEach(e -> rounds.add(column(e.path("roundLosses"), null)));
        return ReportCharts.roundLossChart(means, rounds);
    }

    /**
     * Whether the loss is drawn per averaging round: for runs of at most {@value #ROUND_LOSS_MAX_EPOCHS} epochs,
     * whose few points per epoch show no course, when the history recorded round losses (older histories did not).
     */
    private static boolean lossPerRound(JsonNode epochs) {
        if (epochs.size() > ROUND_LOSS_MAX_EPOCHS) {
            return false;
        }
        for (JsonNode e : epochs) {
            if (e.path("roundLosses").size() > 0) {
                return true;
            }
        }
        return false;
    }

    private static ReportDocument.Section perClassSection(EvaluationReport eval, String role) {
        List<List<String>> rows = new ArrayList<>();
        for (EvaluationReport.ClassMetrics c : eval.perClass()) {
            rows.add(List.of(Integer.toString(c.label()), fmt("%.4f", c.precision()), fmt("%.4f", c.recall()),
                    fmt("%.4f", c.f1()), Long.toString(c.support())));
        }
        rows.add(List.of("macro average", "", "", fmt("%.4f", eval.macroF1()), Long.toString(eval.examples())));
        return new ReportDocument.Section("Precision, recall and F1 per class", List.of(
                new ReportDocument.Table(List.of("class", "precision", "recall", "F1", "support"), rows),
                new ReportDocument.Figure("precision, recall and F1 per class on the " + role + " set",
                        ReportCharts.perClassBars(eval.perClass()), "Bar chart of precision, recall and F1 per class")));
    }

    private static ReportDocument.Section worstSection(LabeledImages heldOut, Misclassified.Predictions predictions,
                                                       int worst, String role) {
        List<Misclassified.Miss> shown = predictions.worst(worst);
        if (shown.isEmpty()) {
            return new ReportDocument.Section("Worst misclassified images", List.of(new ReportDocument.Text(
                    "The model classifies all " + heldOut.count() + " " + role + " images correctly.")));
        }
        return new ReportDocument.Section("Worst misclassified images", List.of(
                new ReportDocument.Text(String.format(Locale.ROOT, "The %d %s images (of %d misclassified among %d) the model "
                                + "gets wrong with the highest probability, highest first: true label \u2192 predicted label, "
                                + "the probability of the predicted label and the image's index in the %s set (0-based). "
                                + "Predictions made again on the driver with the stored model.",
                        shown.size(), role, predictions.misses().size(), heldOut.count(), role)),
                new ReportDocument.Figure("the most confidently misclassified " + role + " images",
                        png(Misclassified.grid(heldOut, shown, GRID_COLUMNS, GRID_SCALE)),
                        "Grid of " + shown.size() + " misclassified " + role + " images with true and predicted labels")));
    }

    private static ReportDocument.Section throughputSection(JsonNode run, JsonNode history) {
        JsonNode t = run.path("training");
        JsonNode v = run.path("versions");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("Spark master", text(run.path("master"))));
        rows.add(List.of("workers (parallel training copies)", text(run.path("workers"))));
        rows.add(List.of("application id", text(run.path("applicationId"))));
        JsonNode train = run.path("config").path("train");
        rows.add(List.of("batch size per worker", text(train.path("batchSizePerWorker"))));
        rows.add(List.of("averaging frequency (minibatches)", text(train.path("averagingFrequency"))));
        rows.add(List.of("images trained", text(t.path("images"))));
        rows.add(List.of("training wall time (s)", number(t.path("wallSeconds"), "%.1f")));
        rows.add(List.of("training CPU time (s, " + t.path("cpuSource").asText("unknown source") + ")",
                number(t.path("cpuSeconds"), "%.1f")));
        rows.add(List.of("images per second", number(t.path("imagesPerSecond"), "%.1f")));
        rows.add(List.of("images per CPU-second", number(t.path("imagesPerCpuSecond"), "%.1f")));
        v.fields().forEachRemaining(e -> rows.add(List.of(e.getKey(), text(e.getValue()))));
        List<ReportDocument.Block> blocks = new ArrayList<>();
        blocks.add(new ReportDocument.Table(List.of("fact", "value"), rows));
        if (history != null && history.path("epochs").size() > 0) {
            List<List<String>> epochs = new ArrayList<>();
            for (JsonNode e : history.get("epochs")) {
                epochs.add(List.of(text(e.path("epoch")), number(e.path("trainLoss"), "%.4f"),
                        number(e.path("trainAccuracy"), "%.4f"), number(e.path("validationAccuracy"), "%.4f"),
                        number(e.path("wallSeconds"), "%.1f"), number(e.path("imagesPerSecond"), "%.1f"),
                        number(e.path("imagesPerCpuSecond"), "%.1f")));
            }
            blocks.add(new ReportDocument.Text("Per epoch (" + HISTORY_FILE + "):"));
            blocks.add(new ReportDocument.Table(List.of("epoch", "training loss", "training accuracy",
                    history.path("heldOut").asText("held-out") + " accuracy", "wall s", "images/s", "images/CPU-s"), epochs));
        }
        return new ReportDocument.Section("Throughput and cluster", blocks);
    }

    /** The model's Keras-style summary; the input is images when the first layer takes them, flat rows otherwise. */
    static ModelSummary summary(MultiLayerConfiguration conf, int rows, int cols) {
        InputType input = conf.getInputPreProcess(0) instanceof FeedForwardToCnnPreProcessor
                ? InputType.convolutionalFlat(rows, cols, 1) : InputType.feedForward((long) rows * cols);
        return ModelSummary.of(conf, input);
    }

    /** One value per element of {@code array}, or of field {@code field} of each element; null or missing is NaN. */
    private static double[] column(JsonNode array, String field) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = field == null ? array.get(i) : array.get(i).get(field);
            out[i] = v == null || !v.isNumber() ? Double.NaN : v.asDouble();
        }
        return out;
    }

    private static JsonNode tree(Map<String, byte[]> files, String name) {
        byte[] content = files.get(name);
        if (content == null) {
            throw new IllegalArgumentException("no " + name + " beside the model: cannot build its report");
        }
        try {
            return JSON.readTree(content);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String pretty(JsonNode node) {
        try {
            return JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? "unknown" : node.asText();
    }

    private static String number(JsonNode node, String format) {
        return node != null && node.isNumber() ? fmt(format, node.asDouble()) : "\u2014";
    }

    private static String fmt(String format, Object value) {
        return String.format(Locale.ROOT, format, value);
    }

    static byte[] png(java.awt.image.BufferedImage image) {
        Headless.ensure();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode PNG: " + e.getMessage(), e);
        }
    }
}
