package io.sparkcnn.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkcnn.config.JobConfig;
import io.sparkcnn.data.DatasetLoader;
import io.sparkcnn.data.ImageBatch;
import io.sparkcnn.data.LabeledImages;
import io.sparkcnn.eval.EvaluationReport;
import io.sparkcnn.eval.PromotionGate;
import io.sparkcnn.model.InputContract;
import io.sparkcnn.report.RunReport;
import io.sparkcnn.store.ModelRegistry;
import io.sparkcnn.store.OutputException;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.versioncheck.VersionCheck;
import org.nd4j.versioncheck.VersionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The last phase of a run: apply the tail average, evaluate the final network on the held-out images, write
 * the model with its side files ({@value TrainJob#EVALUATION_FILE}, {@value TrainJob#RUN_FILE}, the history, the
 * input contract and the report) to {@code output.path}, or publish it into the registry and promote it, and
 * delete the run's checkpoints.
 */
final class FinishPhase {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
    private static final int PROBE_IMAGES = 32;

    private FinishPhase() {
    }

    /** Averages, evaluates, saves or publishes; returns where the model went and how good it is. */
    static TrainResult finish(RunState run, SparkTrainer trainer) {
        JobConfig cfg = run.cfg;
        if (run.average.enabled()) {
            run.average.applyTo(trainer.network());
            EpochLoop.keepFrozen(trainer.network(), run.frozen);
            LOG.info("Weights saved and evaluated: the mean of the weights at the ends of epochs {}-{} (stochastic "
                    + "weight averaging over {} epochs)", run.average.firstEpoch(), cfg.train().epochs(), run.average.count());
        }
        LabeledImages test = run.data.test();
        String role = run.data.heldOutRole();
        EvaluationReport report = EvaluationReport.from(trainer.evaluate(test, String.format(Locale.ROOT,
                "final, %s set (%,d images)", role, test.count())), LabeledImages.NUM_CLASSES);
        LOG.info("Evaluation on {} held-out {} images:\n{}", test.count(), role, report.table(role));

        MultiLayerNetwork net = trainer.network();
        Map<String, byte[]> sideFiles = sideFiles(run, trainer.workers(), net, report);
        String out = run.registry == null
                ? run.store.save(cfg.output().path(), cfg.output().overwrite(), net, probe(test), sideFiles).toString()
                : publish(run, net, sideFiles, report);
        if (cfg.checkpoint().enabled()) {
            run.checkpoints.deleteAll();
        }
        LOG.info("Training throughput: {}", run.speed);
        return new TrainResult(out, report, role, run.speed, run.scores, trainer.workers(), run.sc.master(), run.history);
    }

    /** The files saved beside the model: evaluation, run facts, history, input contract and, if enabled, the report. */
    private static Map<String, byte[]> sideFiles(RunState run, int workers, MultiLayerNetwork net, EvaluationReport report) {
        LabeledImages train = run.data.train();
        Map<String, Object> facts = runFacts(run, workers);
        Map<String, byte[]> sideFiles = new LinkedHashMap<>(Map.of(TrainJob.EVALUATION_FILE, TrainJob.json(report),
                TrainJob.RUN_FILE, TrainJob.json(facts), TrainingHistory.JSON_FILE, run.history.json(),
                TrainingHistory.CSV_FILE, run.history.csv(), InputContract.FILE, InputContract.forTraining(net,
                        train.rows(), train.cols(), InputContract.digitLabels(LabeledImages.NUM_CLASSES)).toJson()));
        if (run.cfg.report().enabled()) {
            sideFiles.putAll(report(run.cfg, run.registry, net, sideFiles, run.data.test()));
        }
        return sideFiles;
    }

    /** Publishes a new version into the registry, promotes it if the gate allows, applies retention; returns its path. */
    private static String publish(RunState run, MultiLayerNetwork net, Map<String, byte[]> sideFiles,
                                  EvaluationReport report) {
        JobConfig cfg = run.cfg;
        ModelRegistry registry = run.registry;
        Map<String, Object> facts = manifestFacts(cfg, run.sc, run.data, report);
        PromotionGate.Decision decision = promotion(cfg, registry, report);
        facts.put("promotion", Map.of("promoted", decision.promote(), "rule", cfg.output().promote(),
                "reason", decision.reason(), "champion", registry.latest().orElse("none")));
        String id = registry.publish(net, probe(run.data.test()), sideFiles, facts, decision.promote());
        LOG.info("Promotion ({}): {} - {}", cfg.output().promote(),
                decision.promote() ? "promoted, LATEST = " + id : "NOT promoted, LATEST stays "
                        + registry.latest().orElse("none"), decision.reason());
        if (cfg.output().keepVersions() > 0) {
            registry.retain(cfg.output().keepVersions());
        }
        return registry.location() + "/" + ModelRegistry.VERSIONS_DIR + "/" + id;
    }

    /**
     * The run's report files, made before saving so that they are stored with the model (in a registry, inside the
     * immutable version and its manifest). A report that fails is logged and left out: it never costs the model.
     */
    private static Map<String, byte[]> report(JobConfig cfg, ModelRegistry registry, MultiLayerNetwork net,
                                              Map<String, byte[]> sideFiles, LabeledImages heldOut) {
        String location = registry == null ? cfg.output().path() : registry.location() + " (new version)";
        try {
            return RunReport.build(location, sideFiles, net, heldOut, cfg.report().worstImages()).files();
        } catch (RuntimeException e) {
            LOG.warn("Could not make the run report ({}); saving the model without it. Make it later with the "
                    + "report command.", e.toString(), e);
            return Map.of();
        }
    }

    /** Whether the new version replaces the registry's champion ({@code LATEST}) under {@code output.promote}. */
    private static PromotionGate.Decision promotion(JobConfig cfg, ModelRegistry registry, EvaluationReport challenger) {
        Optional<String> champion = registry.latest();
        if (cfg.output().promote().equals("always")) {
            return new PromotionGate.Decision(true, "output.promote = always");
        }
        if (champion.isEmpty()) {
            return new PromotionGate.Decision(true, "the registry has no champion yet");
        }
        EvaluationReport best;
        try {
            long[][] confusion = new ObjectMapper().readValue(new ObjectMapper().readTree(
                    registry.verify(champion.get()).get(TrainJob.EVALUATION_FILE)).get("confusion").toString(), long[][].class);
            best = EvaluationReport.fromConfusion(confusion);
        } catch (IOException | RuntimeException e) {
            throw new OutputException("cannot read the champion's " + TrainJob.EVALUATION_FILE + " in version "
                    + champion.get() + ": " + e.getMessage(), e);
        }
        return new PromotionGate(cfg.output().promotionTolerance()).decide(best, challenger);
    }

    /** What a registry manifest records beside the files: where the version came from and how good it is. */
    private static Map<String, Object> manifestFacts(JobConfig cfg, JavaSparkContext sc, DatasetLoader.TrainTest data,
                                                     EvaluationReport report) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("runId", sc.sc().applicationId());
        facts.put("model", cfg.model().name());
        facts.put("configSha256", ModelRegistry.sha256(TrainJob.json(cfg)));
        facts.put("datasets", Map.of(
                "train", Map.of("source", data.train().source(), "images", data.train().count(),
                        "sha256", ModelRegistry.sha256(data.train().pixels(), data.train().labels())),
                data.heldOutRole(), Map.of("source", data.test().source(), "images", data.test().count(),
                        "sha256", ModelRegistry.sha256(data.test().pixels(), data.test().labels()))));
        facts.put("metrics", Map.of("accuracy", report.accuracy(), "macroF1", report.macroF1(),
                "heldOut", data.heldOutRole()));
        Map<String, String> versions = new LinkedHashMap<>();
        for (VersionInfo v : VersionCheck.getVersionInfos()) {
            if (List.of("deeplearning4j-nn", "nd4j-api", "nd4j-native", "nd4j-cuda-11.6").contains(v.getArtifactId())) {
                versions.put(v.getArtifactId(), v.getBuildVersion());
            }
        }
        versions.put("spark", sc.version());
        versions.put("java", System.getProperty("java.version"));
        versions.put("backend", Nd4j.getBackend().getClass().getSimpleName());
        facts.put("versions", versions);
        return facts;
    }

    /** {@value TrainJob#RUN_FILE}: when and where the run trained, its config, size, losses and speed. */
    private static Map<String, Object> runFacts(RunState run, int workers) {
        JavaSparkContext sc = run.sc;
        Throughput speed = run.speed;
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("started", run.started.toString());
        facts.put("finished", Instant.now().toString());
        facts.put("master", sc.master());
        facts.put("applicationId", sc.sc().applicationId());
        facts.put("workers", workers);
        facts.put("config", run.cfg);
        facts.put("parameters", run.summary.totalParams());
        facts.put("epochLoss", run.scores);
        facts.put("training", Map.of(
                "images", speed.images(),
                "wallSeconds", speed.wallSeconds(),
                "cpuSeconds", speed.cpuSeconds(),
                "cpuSource", speed.cpuSource(),
                "imagesPerSecond", speed.imagesPerSecond(),
                "imagesPerCpuSecond", speed.imagesPerCpuSecond()));
        facts.put("versions", Map.of(
                "spark", sc.version(),
                "java", System.getProperty("java.version"),
                "nd4jBackend", Nd4j.getBackend().getClass().getSimpleName()));
        return facts;
    }

    /** The first test images, on which a saved model must reproduce the trained network's outputs. */
    private static INDArray probe(LabeledImages test) {
        return ImageBatch.of(test.limit(PROBE_IMAGES)).toDataSet().getFeatures();
    }
}
