package io.sparkcnn.train;

import io.sparkcnn.config.ConfigLoader;
import io.sparkcnn.config.OuterConfig;
import io.sparkcnn.config.TrainConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link WorkerScaling}: what the default settings become at each number of workers. */
@Tag("unit")
class WorkerScalingTest {
    private static TrainConfig train(String... overrides) {
        return ConfigLoader.load(null, List.of(overrides)).train();
    }

    @Test
    void aboveTwoWorkersTheDefaultsKeepTheRoundsPerEpochAndAddNesterovMomentum() {
        TrainConfig cfg = train("train.averaging-frequency=30");
        int[] workers = {1, 2, 3, 4, 8, 16, 32, 64};
        int[] frequency = {30, 30, 20, 15, 8, 4, 2, 1};
        double[] momentum = {0, 0, 1 - 2 / 3.0, 0.5, 0.75, 0.875, 0.9375, 0.96875};
        for (int i = 0; i < workers.length; i++) {
            TrainConfig at = WorkerScaling.resolve(cfg, workers[i]);
            assertEquals(workers[i], at.workers());
            assertEquals(frequency[i], at.averagingFrequency(), workers[i] + " workers");
            OuterConfig outer = at.outer();
            if (workers[i] <= 2) {
                assertEquals(OuterConfig.none(), outer, workers[i] + " workers: plain averaging, as configured");
            } else {
                assertEquals("nesterov", outer.method());
                assertEquals(1.0, outer.lr());
                assertEquals(momentum[i], outer.momentum(), 1e-12, workers[i] + " workers");
            }
        }
    }

    @Test
    void explicitSettingsAreKept() {
        TrainConfig off = WorkerScaling.resolve(train("train.averaging-frequency=30", "train.scaling.adapt=false"), 16);
        assertEquals(30, off.averagingFrequency());
        assertEquals(OuterConfig.none(), off.outer(), "auto without adapting is plain averaging");

        TrainConfig diloco = WorkerScaling.resolve(train("train.averaging-frequency=30", "train.outer.method=nesterov",
                "train.outer.lr=0.7", "train.outer.momentum=0.9"), 16);
        assertEquals(new OuterConfig("nesterov", 0.7, 0.9), diloco.outer(), "a named method is used as configured");
        assertEquals(4, diloco.averagingFrequency(), "the frequency still adapts");

        TrainConfig reference8 = WorkerScaling.resolve(train("train.averaging-frequency=8",
                "train.scaling.reference-workers=8"), 16);
        assertEquals(4, reference8.averagingFrequency());
        assertEquals(0.5, reference8.outer().momentum(), 1e-12);

        TrainConfig sharing = WorkerScaling.resolve(train("train.averaging-frequency=30",
                "train.approach=gradient-sharing"), 16);
        assertEquals(30, sharing.averagingFrequency(), "gradient sharing has no rounds to adapt");
        assertEquals(OuterConfig.none(), sharing.outer());
    }
}
