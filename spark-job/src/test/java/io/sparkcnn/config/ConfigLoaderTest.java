package io.sparkcnn.config;

import io.sparkcnn.TestData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreValidAndTheProjectJobFileAppliesOverrides() {
        JobConfig defaults = ConfigLoader.load(null, List.of());
        assertEquals("seed-cnn", defaults.model().preset());
        assertEquals(128, defaults.train().batchSizePerWorker());
        assertEquals("local[*]", defaults.spark().fallbackMaster());

        Path jobFile = TestData.projectRoot().resolve("conf/job.conf");
        JobConfig cfg = ConfigLoader.load(jobFile, List.of("train.epochs=3", "trainer.model.preset=seed-fc",
                "data.dir=hdfs://nn/mnist"));
        assertEquals(3, cfg.train().epochs());
        assertEquals("seed-fc", cfg.model().preset());
        assertEquals("hdfs://nn/mnist/train-images-idx3-ubyte", cfg.data().trainImages());
        assertEquals("target/runs/seed-fc", cfg.output().path());
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "train.epochs=0", "model.preset=resnet", "data.format=png", "train.batch-size-per-worker=many",
                "natives.openblas-coretype=skylake")));
        assertEquals(List.of(
                "model.preset must be one of [seed-fc, seed-cnn, seed-cnn-same, lecture-best] or the path of a network file "
                        + "(*.conf), got 'resnet'",
                "train.batch-size-per-worker has type STRING rather than NUMBER",
                "data.format must be one of [idx, csv, parquet, images], got 'png'",
                "train.epochs must be >= 1, got 0",
                "natives.openblas-coretype must be 'auto', 'none' or an OpenBLAS core name in capitals "
                        + "(e.g. SKYLAKEX, HASWELL), got 'skylake'"), e.errors().stream()
                .map(m -> m.replaceAll(" *\\(.*command line.*\\)", "")).toList());
    }

    @Test
    void theLearningRateScheduleIsReadAndChecked() {
        UpdaterConfig.Schedule s = ConfigLoader.load(null, List.of("model.preset=lecture-best",
                "model.network.updater.schedule={type=step,gamma=0.5,every=10}")).model().network().updater().schedule();
        assertEquals(new UpdaterConfig.Schedule("step", 0.5, 10), s);
        assertEquals(0.25, s.factor(25), 1e-12);
        assertEquals(UpdaterConfig.Schedule.NONE, ConfigLoader.load(null, List.of()).model().network().updater().schedule());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "model.preset=seed-cnn", "model.network.updater={type=adadelta,schedule={type=exponential,gamma=1.5}}",
                "train.approach=gradient-sharing")));
        assertEquals(List.of("model.network.updater.schedule.gamma must be in (0, 1], got 1.5",
                "model.network.updater.schedule: adadelta has no learning rate to schedule, got type exponential",
                "model.network.updater.schedule works with train.approach = parameter-averaging only (DL4J's gradient "
                        + "sharing runs no hooks on its workers), got schedule type exponential"), e.errors());
    }

    @Test
    void theOuterOptimizerIsCheckedAsAWhole() {
        assertEquals(new OuterConfig("nesterov", 0.7, 0.9), ConfigLoader.load(null, List.of("train.outer.method=nesterov",
                "train.outer.lr=0.7", "train.outer.momentum=0.9")).train().outer());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "train.outer.method=adam", "train.outer.lr=0", "train.outer.momentum=1")));
        assertEquals(List.of("train.outer.method must be one of [auto, none, heavy-ball, nesterov], got 'adam'",
                "train.outer.lr must be > 0, got 0.0", "train.outer.momentum must be in [0, 1), got 1.0"), e.errors());
        InvalidConfigException sharing = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "train.outer.method=nesterov", "train.approach=gradient-sharing", "train.scaling.reference-workers=0")));
        assertEquals(List.of("train.scaling.reference-workers must be >= 1, got 0", "train.outer.method nesterov needs "
                + "train.approach = parameter-averaging (gradient sharing has no averaging rounds)"), sharing.errors());
        assertEquals(new ScalingConfig(true, 2), ConfigLoader.load(null, List.of()).train().scaling(), "adapts by default");
        assertEquals("auto", ConfigLoader.load(null, List.of()).train().outer().method());
    }

    @Test
    void weightAveragingCoversAtMostTheRunsEpochs() {
        assertEquals(3, ConfigLoader.load(null, List.of("train.epochs=3", "train.average-last-epochs=3"))
                .train().averageLastEpochs());
        assertEquals(0, ConfigLoader.load(null, List.of()).train().averageLastEpochs(), "off by default");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null,
                List.of("train.epochs=3", "train.average-last-epochs=4")));
        assertEquals(List.of("train.average-last-epochs must be at most train.epochs (3), got 4"), e.errors());
        InvalidConfigException negative = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null,
                List.of("train.average-last-epochs=-1")));
        assertEquals(List.of("train.average-last-epochs must be >= 0, got -1"), negative.errors());
    }

    @Test
    void everyNetworkErrorIsReportedAtOnceWithItsKey() throws IOException {
        Path job = Files.writeString(dir.resolve("net.conf"), """
                trainer.model.network {
                  updater { type = adam, learning-rate = -1 }
                  regularization { type = ridge }
                  layers = [
                    { type = conv, filters = 0, kernel = 3, padding = "lots", padding-kind = mirror }
                    { type = output, units = 10 }
                    { type = dense, units = 8, activaton = relu }
                  ]
                }
                """);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(job, List.of()));
        String n = "model.network.";
        assertEquals(List.of(
                n + "updater.learning-rate must be > 0, got -1.0",
                n + "regularization.type must be one of [none, l2, l1, elastic-net, index-power, lp], got 'ridge'",
                n + "layers[0].padding-kind must be one of [zero, edge, symmetric, reflect, wrap], got 'mirror'",
                n + "layers[0].padding must be a number of pixels, [top, bottom, left, right], \"same\" or \"valid\", "
                        + "got 'lots'",
                n + "layers[0].filters must be a whole number >= 1, got 0",
                "unknown key '" + n + "layers[2].activaton' (expected one of [activation, name, regularization, type, units])",
                n + "layers[1]: only the last layer may be of type output",
                n + "layers[2]: the last layer must be of type output, got dense"), e.errors());
    }

    @Test
    void augmentationSettingsAreCheckedTogether() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "augment.mode=sometimes", "augment.rotation.probability=1.5", "augment.scaling.min=1.2",
                "augment.copies=0")));
        assertEquals(List.of("augment.mode must be one of [per-epoch, fixed], got 'sometimes'",
                "augment.copies must be >= 1, got 0",
                "augment.rotation.probability must be a probability in [0, 1], got 1.5",
                "augment.scaling needs 0 < min <= max, got min 1.2, max 1.1"), e.errors());
        assertEquals(false, ConfigLoader.load(null, List.of()).augment().enabled(), "off by default");
        assertEquals(0.0, ConfigLoader.load(null, List.of()).augment().reflection().horizontal(), "no mirroring by default");
    }

    @Test
    void checkpointSettingsAreChecked() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "checkpoint.keep=0", "checkpoint.every-rounds=-5")));
        assertEquals(List.of("checkpoint.keep must be >= 1, got 0", "checkpoint.every-rounds must be >= 0, got -5"),
                e.errors());
        assertEquals(0, ConfigLoader.load(null, List.of()).checkpoint().everyRounds(), "epoch ends only by default");
        assertEquals(20, ConfigLoader.load(null, List.of("checkpoint.every-rounds=20")).checkpoint().everyRounds());
    }

    @Test
    void aResumeMayChangeOutputAndSessionSettingsButNotWhatIsTrained() {
        JobConfig killed = ConfigLoader.load(null, List.of("output.overwrite=true", "train.epochs=3"));
        assertEquals(killed.trainingIdentity(), ConfigLoader.load(null, List.of("train.epochs=3", "checkpoint.resume=true",
                "preflight.enabled=false", "checkpoint.keep=5", "output.lock-wait-seconds=60")).trainingIdentity());
        assertTrue(!killed.trainingIdentity().equals(ConfigLoader.load(null, List.of("train.epochs=3", "train.seed=7"))
                .trainingIdentity()));
        assertTrue(!killed.trainingIdentity().equals(ConfigLoader.load(null, List.of("train.epochs=3",
                "checkpoint.every-rounds=10")).trainingIdentity()));
    }

    @Test
    void preflightIsOnByDefaultAndMustBeABoolean() {
        assertEquals(true, ConfigLoader.load(null, List.of()).preflight().enabled(), "on by default");
        assertEquals(false, ConfigLoader.load(null, List.of("preflight.enabled=false")).preflight().enabled());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "preflight.enabled=sometimes")));
        assertEquals(1, e.errors().size(), e.getMessage());
        assertTrue(e.errors().get(0).startsWith("preflight.enabled has type STRING rather than BOOLEAN"), e.getMessage());
    }

    @Test
    void runsQuotedForComparisonAreChecked() {
        JobConfig cfg = ConfigLoader.load(null, List.of(
                "report.compare-with=[{ name = \"the lecture\", accuracy = 0.627, epochs = 5 }]"));
        assertEquals(List.of(new ReportConfig.ReferenceRun("the lecture", 0.627, 5, "")), cfg.report().compareWith());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "report.compare-with=[{ name = keras, accuracy = 99.2, epochs = 12 }, { name = x, epochs = 1 }]")));
        assertEquals(List.of("report.compare-with[0] needs a name, an accuracy in [0, 1] and epochs >= 1, got name "
                + "'keras', accuracy 99.2, epochs 12", "report.compare-with[1].accuracy is missing"), e.errors());
    }

    @Test
    void penaltiesNeedPositiveStrengths() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "model.network.regularization={ type = l2 }")));
        assertEquals(List.of("model.network.regularization.strength must be > 0 for regularization type l2 (its λ), "
                + "got nothing"), e.errors());
        InvalidConfigException net = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(null, List.of(
                "model.network.regularization={ type = elastic-net, l1 = 1e-4 }")));
        assertEquals(List.of("model.network.regularization: elastic-net needs l1 > 0 and l2 > 0 (for one alone use "
                + "type l1 or l2), got l1 = 1.0E-4, l2 = 0.0"), net.errors());
    }

    @Test
    void aNetworkPatchChangesThePresetAndNetworkFilesLoadByPath() {
        JobConfig patched = ConfigLoader.load(null, List.of("model.preset=seed-cnn-same",
                "model.network.padding-kind=wrap", "model.network.updater.epsilon=1e-6",
                "model.network.regularization={ type = l2, strength = 1e-4 }", "data.labels=[5, 6]"));
        assertEquals(new PenaltyConfig("l2", 1e-4, 0, 0, 2, 0.5, 1e-8), patched.model().network().regularization());
        assertEquals(List.of(5, 6), patched.data().labels());
        assertEquals("wrap", patched.model().network().layers().get(1).padding().kind());
        assertEquals(1e-6, patched.model().network().updater().epsilon(), 0);
        assertEquals("seed-cnn-same", patched.model().name());
        assertEquals("target/runs/seed-cnn-same", patched.output().path());

        JobConfig byPath = ConfigLoader.load(null, List.of(
                "model.preset=" + TestData.projectRoot().resolve("conf/networks/seed-fc.conf")));
        assertEquals(ConfigLoader.load(null, List.of("model.preset=seed-fc")).model().network(), byPath.model().network());
        assertEquals("seed-fc", byPath.model().name());
    }

    @Test
    void unknownKeysAreRejectedWithASuggestion() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(null, List.of("train.epoch=3")));
        assertEquals(List.of("unknown key 'train.epoch' (did you mean 'train.epochs'?)"), e.errors());
    }

    @Test
    void badFilesAndOverridesAreReported() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.conf"), "trainer { train { epochs = 3 }");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(broken, List.of("no-equals-sign")));
        assertEquals(2, e.errors().size(), e.getMessage());
        assertTrue(e.errors().get(0).startsWith("config file " + broken), e.getMessage());
        assertEquals("override 'no-equals-sign' is not of the form key=value", e.errors().get(1));

        InvalidConfigException missing = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(dir.resolve("absent.conf"), List.of()));
        assertEquals(List.of("config file " + dir.resolve("absent.conf") + " does not exist or is not a file"),
                missing.errors());
    }

    @Test
    void csvFormatNeedsAFileAndAValidHoldOut() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(null, List.of("data.format=csv", "data.holdout-fraction=1.5")));
        assertEquals(List.of("data.train-csv must not be empty",
                "data.holdout-fraction must be in (0, 1) when data.test-csv is empty, got 1.5"), e.errors());
    }
}
