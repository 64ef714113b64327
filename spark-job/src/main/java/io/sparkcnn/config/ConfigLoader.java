package io.sparkcnn.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Loads the job configuration: command-line overrides, then the job file ({@code conf/job.conf}), then the
 * defaults in the jar's {@code reference.conf}, all under the root key {@value #ROOT}. Validation reports every
 * error at once (missing or mistyped values, unknown keys, out-of-range numbers) as an
 * {@link InvalidConfigException}, before anything touches Spark. Whether the network fits the images needs the
 * network factory, a package above this one: {@code NetworkFactory.checkFits} checks it after loading.
 */
public final class ConfigLoader {
    /** Root key of every setting of this job. */
    public static final String ROOT = "trainer";

    /** The networks in the jar (resources {@code networks/<name>.conf}, copied from {@code conf/networks/}). */
    public static final List<String> BUNDLED_NETWORKS = List.of("seed-fc", "seed-cnn", "seed-cnn-same", "lecture-best");

    private static final String NETWORK = "model.network";
    private static final Pattern CORE_TYPE = Pattern.compile("auto|none|[A-Z][A-Z0-9_]*");

    private ConfigLoader() {
    }

    /**
     * @param jobFile   HOCON file, or {@code null} for the defaults alone
     * @param overrides {@code key=value} pairs; keys may omit the {@value #ROOT} prefix
     */
    public static JobConfig load(Path jobFile, List<String> overrides) {
        return validate(mergeOrThrow(jobFile, overrides), new ArrayList<>());
    }

    /** Returns the fully merged and resolved configuration tree under {@value #ROOT}, for display. */
    public static Config effective(Path jobFile, List<String> overrides) {
        return mergeOrThrow(jobFile, overrides).getConfig(ROOT);
    }

    private static Config mergeOrThrow(Path jobFile, List<String> overrides) {
        List<String> errors = new ArrayList<>();
        Config merged = merge(jobFile, overrides, errors);
        if (merged == null) {
            throw new InvalidConfigException(errors);
        }
        return merged;
    }

    private static Config merge(Path jobFile, List<String> overrides, List<String> errors) {
        Config defaults = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf")
                .withOnlyPath(ROOT);
        Config file = ConfigFactory.empty();
        if (jobFile != null) {
            if (!Files.isRegularFile(jobFile)) {
                errors.add("config file " + jobFile + " does not exist or is not a file");
            } else {
                try {
                    file = ConfigFactory.parseFile(jobFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
                } catch (ConfigException e) {
                    errors.add("config file " + jobFile + ": " + e.getMessage());
                }
            }
        }
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                errors.add("override '" + o + "' is not of the form key=value");
                continue;
            }
            String key = o.substring(0, eq).trim();
            pairs.put(key.startsWith(ROOT + ".") ? key : ROOT + "." + key, o.substring(eq + 1).trim());
        }
        Config cli = ConfigFactory.empty();
        for (Map.Entry<String, String> e : pairs.entrySet()) {
            try {
                cli = cli.withValue(e.getKey(), overrideValue(e.getValue()));
            } catch (ConfigException ex) {
                errors.add("override '" + e.getKey() + "': " + ex.getMessage());
            }
        }
        Config merged;
        try {
            merged = cli.withFallback(file).withFallback(defaults).resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException e) {
            errors.add(e.getMessage());
            return null;
        }
        Set<String> known = new TreeSet<>(defaults.getConfig(ROOT).entrySet().stream().map(Map.Entry::getKey).toList());
        if (merged.hasPath(ROOT)) {
            for (Map.Entry<String, ?> e : merged.getConfig(ROOT).entrySet()) {
                if (!known.contains(e.getKey()) && !e.getKey().startsWith(NETWORK + ".")) {
                    errors.add("unknown key '" + e.getKey() + "'" + suggestion(e.getKey(), known));
                }
            }
        }
        return errors.isEmpty() ? merged : null;
    }

    /**
     * A command-line value: a list {@code [5, 6]} or an object {@code {type = l2}} is parsed as HOCON; anything
     * else is taken literally as a string (so {@code hdfs://nn/x} needs no quotes), which Typesafe Config
     * converts to a number or boolean where the key needs one.
     */
    private static ConfigValue overrideValue(String value) {
        if (value.startsWith("[") || value.startsWith("{")) {
            return ConfigFactory.parseString("v = " + value, ConfigParseOptions.defaults().setOriginDescription("command line"))
                    .getValue("v");
        }
        return ConfigValueFactory.fromAnyRef(value, "command line");
    }

    private static String suggestion(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= 3 ? " (did you mean '" + best + "'?)" : "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static void holdoutInRange(Reader r, DataConfig data, String when) {
        if (!r.bad("data.holdout-fraction") && !(data.holdoutFraction() > 0 && data.holdoutFraction() < 1)) {
            r.errors.add("data.holdout-fraction must be in (0, 1) when " + when + ", got " + data.holdoutFraction());
        }
    }

    private static JobConfig validate(Config root, List<String> errors) {
        Reader r = new Reader(root.getConfig(ROOT), errors);

        String format = r.string("data.format");
        DataConfig data = new DataConfig(format,
                r.string("data.train-images"), r.string("data.train-labels"),
                r.string("data.test-images"), r.string("data.test-labels"),
                r.string("data.train-csv"), r.string("data.test-csv"),
                r.string("data.train-table"), r.string("data.test-table"), r.string("data.label-column"),
                r.string("data.image-column"), r.decimal("data.pixel-max"),
                r.string("data.train-folder"), r.string("data.test-folder"),
                r.decimal("data.holdout-fraction"), r.bool("data.validation"), r.longValue("data.split-seed"),
                r.integer("data.train-limit"), r.integer("data.test-limit"),
                r.integer("data.image-rows"), r.integer("data.image-cols"), r.intList("data.labels"));
        String preset = r.string("model.preset");
        NetworkConfig network = network(root.getConfig(ROOT), preset, errors);
        String name = r.string("model.name").isBlank() ? presetName(preset) : r.string("model.name");
        TransferConfig transfer = new TransferConfig(r.string("model.transfer.from"), r.string("model.transfer.freeze"));
        ModelConfig model = new ModelConfig(name, preset, network, transfer, r.bool("model.warm-start"));
        TrainConfig train = new TrainConfig(r.integer("train.epochs"),
                r.integer("train.batch-size-per-worker"), r.integer("train.averaging-frequency"),
                r.integer("train.workers"), r.longValue("train.seed"),
                r.integer("train.prefetch-batches"), r.bool("train.shuffle-each-epoch"),
                r.integer("train.average-last-epochs"),
                new OuterConfig(r.string("train.outer.method"), r.decimal("train.outer.lr"),
                        r.decimal("train.outer.momentum")), r.string("train.approach"),
                new GradientSharingConfig(r.decimal("train.sharing.threshold"),
                        r.string("train.sharing.controller-address"), r.integer("train.sharing.port")),
                new ScalingConfig(r.bool("train.scaling.adapt"), r.integer("train.scaling.reference-workers")));
        AugmentConfig augment = new AugmentConfig(r.bool("augment.enabled"), r.string("augment.mode"),
                r.integer("augment.copies"), r.longValue("augment.seed"),
                new AugmentConfig.Rotation(r.decimal("augment.rotation.probability"), r.decimal("augment.rotation.max-degrees")),
                new AugmentConfig.Translation(r.decimal("augment.translation.probability"),
                        r.decimal("augment.translation.max-pixels")),
                new AugmentConfig.Scaling(r.decimal("augment.scaling.probability"), r.decimal("augment.scaling.min"),
                        r.decimal("augment.scaling.max")),
                new AugmentConfig.Shear(r.decimal("augment.shear.probability"), r.decimal("augment.shear.max-degrees")),
                new AugmentConfig.Elastic(r.decimal("augment.elastic.probability"), r.decimal("augment.elastic.alpha"),
                        r.decimal("augment.elastic.sigma")),
                new AugmentConfig.Reflection(r.decimal("augment.reflection.horizontal"),
                        r.decimal("augment.reflection.vertical")));
        OutputConfig output = new OutputConfig(r.string("output.path").isBlank() ? "target/runs/" + name : r.string("output.path"),
                r.bool("output.overwrite"), r.bool("output.registry"), r.integer("output.lock-wait-seconds"),
                r.integer("output.keep-versions"), r.string("output.promote"), r.decimal("output.promotion-tolerance"));
        SparkConfig spark = new SparkConfig(r.string("spark.app-name"),
                r.string("spark.fallback-master"));
        NativeConfig natives = new NativeConfig(r.integer("natives.omp-threads"),
                r.string("natives.openblas-coretype"), r.bool("natives.layer-helpers"),
                r.string("natives.bf16-convolutions"));
        PreflightConfig preflight = new PreflightConfig(r.bool("preflight.enabled"));
        ProgressConfig progress = new ProgressConfig(r.string("progress.mode"), r.integer("progress.log-interval-seconds"));
        HistoryConfig history = new HistoryConfig(r.bool("history.enabled"), r.integer("history.train-sample"));
        ReportConfig report = new ReportConfig(r.bool("report.enabled"), r.integer("report.worst-images"),
                referenceRuns(r));

        List<String> formats = List.of("idx", "csv", "parquet", "images");
        if (!r.bad("data.format") && !formats.contains(format)) {
            errors.add("data.format must be one of " + formats + ", got '" + format + "'");
        } else if (format.equals("idx")) {
            requireNonEmpty(r, "data.train-images", data.trainImages());
            requireNonEmpty(r, "data.train-labels", data.trainLabels());
            if (data.validation()) {
                holdoutInRange(r, data, "data.validation = true");
            } else {
                requireNonEmpty(r, "data.test-images", data.testImages());
                requireNonEmpty(r, "data.test-labels", data.testLabels());
            }
        } else {
            String trainKey = switch (format) {
                case "csv" -> "data.train-csv";
                case "parquet" -> "data.train-table";
                default -> "data.train-folder";
            };
            requireNonEmpty(r, trainKey, switch (format) {
                case "csv" -> data.trainCsv();
                case "parquet" -> data.trainTable();
                default -> data.trainFolder();
            });
            if (data.testSet().isBlank()) {
                holdoutInRange(r, data, data.validation() ? "data.validation = true"
                        : trainKey.replace("train", "test") + " is empty");
            }
            if (format.equals("parquet")) {
                requireNonEmpty(r, "data.label-column", data.labelColumn());
                requireNonEmpty(r, "data.image-column", data.imageColumn());
                if (!r.bad("data.pixel-max") && !(data.pixelMax() > 0)) {
                    errors.add("data.pixel-max must be > 0, got " + data.pixelMax());
                }
            }
        }
        atLeast(r, "data.train-limit", data.trainLimit(), 0);
        atLeast(r, "data.test-limit", data.testLimit(), 0);
        atLeast(r, "data.image-rows", data.imageRows(), 1);
        atLeast(r, "data.image-cols", data.imageCols(), 1);
        for (int label : data.labels()) {
            if (label < 0 || label > 9) {
                errors.add("data.labels must hold labels 0-9, got " + label);
            }
        }
        if (!r.bad("model.transfer.freeze") && !TransferConfig.FREEZE_MODES.contains(transfer.freeze())) {
            errors.add("model.transfer.freeze must be one of " + TransferConfig.FREEZE_MODES + ", got '"
                    + transfer.freeze() + "'");
        }
        if (train.gradientSharing() && !network.updater().schedule().isNone()) {
            errors.add("model.network.updater.schedule works with train.approach = " + TrainConfig.PARAMETER_AVERAGING
                    + " only (DL4J's gradient sharing runs no hooks on its workers), got schedule type "
                    + network.updater().schedule().type());
        }
        atLeast(r, "train.epochs", train.epochs(), 1);
        atLeast(r, "train.batch-size-per-worker", train.batchSizePerWorker(), 1);
        atLeast(r, "train.averaging-frequency", train.averagingFrequency(), 1);
        atLeast(r, "train.workers", train.workers(), 0);
        atLeast(r, "train.prefetch-batches", train.prefetchBatches(), 0);
        atLeast(r, "train.average-last-epochs", train.averageLastEpochs(), 0);
        if (!r.bad("train.average-last-epochs") && !r.bad("train.epochs") && train.epochs() >= 1
                && train.averageLastEpochs() > train.epochs()) {
            r.errors().add("train.average-last-epochs must be at most train.epochs (" + train.epochs() + "), got "
                    + train.averageLastEpochs());
        }
        if (!r.bad("train.outer.method") && !OuterConfig.METHODS.contains(train.outer().method())) {
            errors.add("train.outer.method must be one of " + OuterConfig.METHODS + ", got '" + train.outer().method() + "'");
        }
        if (!r.bad("train.outer.lr") && !(train.outer().lr() > 0)) {
            errors.add("train.outer.lr must be > 0, got " + train.outer().lr());
        }
        if (!r.bad("train.outer.momentum") && !(train.outer().momentum() >= 0 && train.outer().momentum() < 1)) {
            errors.add("train.outer.momentum must be in [0, 1), got " + train.outer().momentum());
        }
        atLeast(r, "train.scaling.reference-workers", train.scaling().referenceWorkers(), 1);
        if (!r.bad("train.approach") && train.gradientSharing() && !r.bad("train.outer.method")
                && OuterConfig.METHODS.contains(train.outer().method()) && !train.outer().method().equals(OuterConfig.AUTO)
                && !train.outer().plain()) {
            errors.add("train.outer.method " + train.outer().method() + " needs train.approach = "
                    + TrainConfig.PARAMETER_AVERAGING + " (gradient sharing has no averaging rounds)");
        }
        if (!r.bad("train.approach") && !TrainConfig.APPROACHES.contains(train.approach())) {
            errors.add("train.approach must be one of " + TrainConfig.APPROACHES + ", got '" + train.approach() + "'");
        }
        if (!r.bad("train.sharing.threshold") && !(train.sharing().threshold() > 0)) {
            errors.add("train.sharing.threshold must be > 0, got " + train.sharing().threshold());
        }
        requireNonEmpty(r, "train.sharing.controller-address", train.sharing().controllerAddress());
        if (!r.bad("train.sharing.port") && (train.sharing().port() < 1 || train.sharing().port() > 65535)) {
            errors.add("train.sharing.port must be in [1, 65535], got " + train.sharing().port());
        }
        validateAugment(r, augment);
        requireNonEmpty(r, "output.path", output.path());
        atLeast(r, "output.lock-wait-seconds", output.lockWaitSeconds(), 0);
        atLeast(r, "output.keep-versions", output.keepVersions(), 0);
        if (!r.bad("output.promote") && !OutputConfig.PROMOTE_RULES.contains(output.promote())) {
            errors.add("output.promote must be one of " + OutputConfig.PROMOTE_RULES + ", got '" + output.promote() + "'");
        }
        nonNegative(r, "output.promotion-tolerance", output.promotionTolerance());
        requireNonEmpty(r, "spark.app-name", spark.appName());
        requireNonEmpty(r, "spark.fallback-master", spark.fallbackMaster());
        atLeast(r, "natives.omp-threads", natives.ompThreads(), 1);
        atLeast(r, "report.worst-images", report.worstImages(), 1);
        if (!r.bad("natives.openblas-coretype") && !CORE_TYPE.matcher(natives.openblasCoreType()).matches()) {
            errors.add("natives.openblas-coretype must be 'auto', 'none' or an OpenBLAS core name in capitals "
                    + "(e.g. SKYLAKEX, HASWELL), got '" + natives.openblasCoreType() + "'");
        }
        if (!r.bad("natives.bf16-convolutions") && !NativeConfig.BF16_MODES.contains(natives.bf16Convolutions())) {
            errors.add("natives.bf16-convolutions must be one of " + NativeConfig.BF16_MODES + ", got '"
                    + natives.bf16Convolutions() + "'");
        }
        if (!r.bad("progress.mode") && !ProgressConfig.MODES.contains(progress.mode())) {
            errors.add("progress.mode must be one of " + ProgressConfig.MODES + ", got '" + progress.mode() + "'");
        }
        atLeast(r, "progress.log-interval-seconds", progress.logIntervalSeconds(), 0);
        atLeast(r, "history.train-sample", history.trainSample(), 0);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        CheckpointConfig checkpoint = new CheckpointConfig(r.bool("checkpoint.enabled"), r.string("checkpoint.dir"),
                r.bool("checkpoint.resume"), r.integer("checkpoint.keep"), r.integer("checkpoint.every-rounds"));
        atLeast(r, "checkpoint.keep", checkpoint.keep(), 1);
        atLeast(r, "checkpoint.every-rounds", checkpoint.everyRounds(), 0);
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
        return new JobConfig(data, model, train, augment, checkpoint, output, spark, natives, preflight,
                progress, history, report);
    }

    private static void validateAugment(Reader r, AugmentConfig a) {
        if (!r.bad("augment.mode") && !AugmentConfig.MODES.contains(a.mode())) {
            r.errors().add("augment.mode must be one of " + AugmentConfig.MODES + ", got '" + a.mode() + "'");
        }
        atLeast(r, "augment.copies", a.copies(), 1);
        for (String t : List.of("rotation", "translation", "scaling", "shear", "elastic")) {
            probability(r, "augment." + t + ".probability");
        }
        probability(r, "augment.reflection.horizontal");
        probability(r, "augment.reflection.vertical");
        nonNegative(r, "augment.rotation.max-degrees", a.rotation().maxDegrees());
        nonNegative(r, "augment.translation.max-pixels", a.translation().maxPixels());
        nonNegative(r, "augment.elastic.alpha", a.elastic().alpha());
        if (!r.bad("augment.scaling.min") && !r.bad("augment.scaling.max")
                && !(a.scaling().min() > 0 && a.scaling().min() <= a.scaling().max())) {
            r.errors().add("augment.scaling needs 0 < min <= max, got min " + a.scaling().min() + ", max " + a.scaling().max());
        }
        if (!r.bad("augment.shear.max-degrees") && !(a.shear().maxDegrees() >= 0 && a.shear().maxDegrees() < 90)) {
            r.errors().add("augment.shear.max-degrees must be in [0, 90), got " + a.shear().maxDegrees());
        }
        if (!r.bad("augment.elastic.sigma") && !(a.elastic().sigma() > 0)) {
            r.errors().add("augment.elastic.sigma must be > 0, got " + a.elastic().sigma());
        }
    }

    /** {@code report.compare-with}: a list of {@code { name, accuracy, epochs, note }}, each checked. */
    private static List<ReportConfig.ReferenceRun> referenceRuns(Reader r) {
        String key = "report.compare-with";
        List<? extends Config> entries;
        try {
            entries = r.config().getConfigList(key);
        } catch (ConfigException e) {
            r.errors().add(key + " must be a list of { name, accuracy, epochs, note }: " + e.getMessage());
            return List.of();
        }
        List<ReportConfig.ReferenceRun> runs = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Reader entry = new Reader(entries.get(i).withFallback(ConfigFactory.parseString("note = \"\"")), new ArrayList<>());
            String name = entry.string("name");
            double accuracy = entry.decimal("accuracy");
            int epochs = entry.integer("epochs");
            String at = key + "[" + i + "]";
            entry.errors().forEach(e -> r.errors().add(at + "." + e));
            if (entry.errors().isEmpty() && (name.isBlank() || accuracy < 0 || accuracy > 1 || epochs < 1)) {
                r.errors().add(at + " needs a name, an accuracy in [0, 1] and epochs >= 1, got name '" + name
                        + "', accuracy " + accuracy + ", epochs " + epochs);
            }
            runs.add(new ReportConfig.ReferenceRun(name, accuracy, epochs, entry.string("note")));
        }
        return runs;
    }

    private static void probability(Reader r, String key) {
        double p = r.config().hasPath(key) && !r.bad(key) ? r.config().getDouble(key) : 0;
        if (!(p >= 0 && p <= 1)) {
            r.errors().add(key + " must be a probability in [0, 1], got " + p);
        }
    }

    private static void nonNegative(Reader r, String key, double value) {
        if (!r.bad(key) && !(value >= 0)) {
            r.errors().add(key + " must be >= 0, got " + value);
        }
    }

    /**
     * The network: the preset (a bundled name or a network file), patched by the keys of {@code model.network},
     * or {@code model.network} alone when it lists its own layers.
     */
    private static NetworkConfig network(Config trainer, String preset, List<String> errors) {
        Config inline = trainer.hasPath(NETWORK) && trainer.getValue(NETWORK).valueType() == ConfigValueType.OBJECT
                ? trainer.getConfig(NETWORK) : null;
        if (trainer.hasPath(NETWORK) && inline == null) {
            errors.add(NETWORK + " must be an object { updater = ..., layers = [...] }, got "
                    + trainer.getValue(NETWORK).render());
        }
        Config source;
        if (inline != null && inline.hasPath("layers")) {
            source = inline;
        } else {
            Config base = presetNetwork(preset, errors);
            if (base == null) {
                return new NetworkConfig(new UpdaterConfig("adam", 1e-3, 0.95, 1e-7, 0.9, 0.999, 0.9, UpdaterConfig.Schedule.NONE),
                        "xavier-uniform", PenaltyConfig.NONE, List.of());
            }
            source = inline == null ? base : inline.withFallback(base);
        }
        return new NetworkConfigParser(errors).parse(source, NETWORK);
    }

    private static Config presetNetwork(String preset, List<String> errors) {
        try {
            if (BUNDLED_NETWORKS.contains(preset)) {
                return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "networks/" + preset + ".conf",
                        ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
            }
            Path file = Path.of(preset);
            if (preset.endsWith(".conf") && Files.isRegularFile(file)) {
                return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)).resolve();
            }
        } catch (ConfigException e) {
            errors.add("model.preset " + preset + ": " + e.getMessage());
            return null;
        }
        errors.add("model.preset must be one of " + BUNDLED_NETWORKS + " or the path of a network file (*.conf), got '"
                + preset + "'");
        return null;
    }

    /** "seed-cnn" for "seed-cnn" and for "conf/networks/seed-cnn.conf". */
    private static String presetName(String preset) {
        String base = preset.substring(preset.lastIndexOf('/') + 1);
        return base.endsWith(".conf") ? base.substring(0, base.length() - ".conf".length()) : base;
    }

    private static void requireNonEmpty(Reader r, String key, String value) {
        if (!r.bad(key) && value.isBlank()) {
            r.errors().add(key + " must not be empty");
        }
    }

    private static void atLeast(Reader r, String key, long value, long min) {
        if (!r.bad(key) && value < min) {
            r.errors().add(key + " must be >= " + min + ", got " + value);
        }
    }

    /**
     * Reads typed values, recording a message and returning a neutral value instead of throwing, so that all
     * errors surface together.
     */
    private record Reader(Config config, List<String> errors, Set<String> badKeys) {
        Reader(Config config, List<String> errors) {
            this(config, errors, new HashSet<>());
        }

        boolean bad(String key) {
            return badKeys.contains(key);
        }

        String string(String key) {
            return get(key, Config::getString, "");
        }

        int integer(String key) {
            return get(key, Config::getInt, 0);
        }

        long longValue(String key) {
            return get(key, Config::getLong, 0L);
        }

        double decimal(String key) {
            return get(key, Config::getDouble, 0.0);
        }

        List<Integer> intList(String key) {
            return get(key, Config::getIntList, List.of());
        }

        boolean bool(String key) {
            return get(key, Config::getBoolean, false);
        }

        private <T> T get(String key, Getter<T> getter, T fallback) {
            try {
                return getter.get(config, key);
            } catch (ConfigException.Missing e) {
                errors.add(key + " is missing");
                badKeys.add(key);
            } catch (ConfigException.WrongType | ConfigException.BadValue e) {
                errors.add(describe(key, e));
                badKeys.add(key);
            }
            return fallback;
        }

        /** "KEY has type STRING rather than NUMBER (ORIGIN)", without Typesafe's origin prefix. */
        private static String describe(String key, ConfigException e) {
            String message = e.getMessage();
            int at = message.indexOf(key + " ");
            String core = at >= 0 ? message.substring(at) : key + ": " + message;
            return e.origin() == null ? core : core + " (" + e.origin().description() + ")";
        }
    }

    @FunctionalInterface
    private interface Getter<T> {
        T get(Config config, String key);
    }

}
