package io.sparkcnn.bench;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class ClusterModelTest {
    private static final double ONE_GBIT = 125_000; // bytes per ms
    private static final double TEN_GBIT = 1_250_000;
    /** 8 MiB broadcast (two 4 MiB blocks), 4 MB per partial sum to the driver, 3 MB per shuffle record. */
    private static final ClusterModel.Bytes BYTES = new ClusterModel.Bytes(8L << 20, 4_000_000, 3_000_000);
    private static final ClusterModel.Calibration CAL = new ClusterModel.Calibration(100, 10, 200, 0);

    @Test
    void sparkTreeAggregateAtDepthTwoShufflesOnlyWhenItSavesALevel() {
        ClusterModel.Aggregation tree = ClusterModel.sparkTreeAggregate();
        // W: scale = max(ceil(sqrt(W)), 2); a level when W > scale + ceil(W / scale)
        assertEquals(List.of(), tree.tree(1).levels());
        assertEquals(1, tree.tree(1).toDriver());
        assertEquals(List.of(), tree.tree(4).levels()); // 4 > 2 + 2? no
        assertEquals(4, tree.tree(4).toDriver());
        assertEquals(List.of(), tree.tree(5).levels()); // scale 3: 5 > 3 + 2? no
        assertEquals(List.of(2), tree.tree(6).levels()); // 6 > 3 + 2: 6 / 3 = 2 reducers
        assertEquals(List.of(0, 1, 0, 1, 0, 1), tree.tree(6).groupOf());
        assertEquals(List.of(2), tree.tree(8).levels()); // scale 3: 8 > 3 + 3, 8 / 3 = 2
        assertEquals(List.of(3), tree.tree(9).levels());
        assertEquals(List.of(4), tree.tree(16).levels());
        assertEquals(4, tree.tree(16).toDriver());
        assertEquals(List.of(8), tree.tree(64).levels()); // then 8 > 8 + 1? no
        assertEquals(List.of(10), tree.tree(128).levels()); // scale ceil(11.3) = 12, 128 / 12 = 10
        assertEquals(10, tree.tree(128).toDriver());
    }

    @Test
    void orderedTwoLevelTreeGroupsConsecutivePartitionsAboveFour() {
        ClusterModel.Aggregation tree = ClusterModel.orderedTwoLevel();
        assertFalse(tree.tree(4).shuffles());
        assertEquals(4, tree.tree(4).toDriver());
        assertEquals(List.of(0, 0, 0, 1, 1), tree.tree(5).groupOf()); // g = ceil(sqrt 5) = 3
        assertEquals(2, tree.tree(5).toDriver());
        assertEquals(List.of(0, 0, 0, 0, 1, 1, 1, 1, 2, 2), tree.tree(10).groupOf()); // g = 4, 3 groups
        assertEquals(4, tree.tree(16).toDriver());
        assertEquals(8, tree.tree(64).toDriver());
    }

    @Test
    void communicationFromTheBytesAndThePattern() {
        ClusterModel spark = new ClusterModel(BYTES, ClusterModel.sparkTreeAggregate(), CAL);
        // one executor: the 8 MiB through one link at 1 Gbit/s
        assertEquals((8 << 20) / ONE_GBIT, spark.broadcastMs(ClusterModel.Cluster.of(1, 1, 1)), 1e-9);
        // four: plus two doublings of one 4 MiB block
        assertEquals(((8 << 20) + 2 * (4 << 20)) / ONE_GBIT, spark.broadcastMs(ClusterModel.Cluster.of(4, 1, 1)),
                1e-9);
        assertEquals(((8 << 20) + 3 * (4 << 20)) / ONE_GBIT, spark.broadcastMs(ClusterModel.Cluster.of(5, 1, 1)),
                1e-9);

        // W = 16 on 16 one-core executors: reducer p mod 4 on executor p mod 4; executors 0-3 each fetch 3 records
        ClusterModel.Cluster sixteen = ClusterModel.Cluster.of(16, 1, 1);
        ClusterModel.Round r = spark.round(sixteen, 64, 10);
        assertEquals(3 * 3_000_000 / ONE_GBIT, r.shuffleMs(), 1e-9);
        assertEquals(4 * 4_000_000 / ONE_GBIT, r.collectMs(), 1e-9);

        // the ordered tree: reducer r (partitions 4r..4r+3) on executor r, which has partition r only: 4 fetched
        ClusterModel ordered = new ClusterModel(BYTES, ClusterModel.orderedTwoLevel(), CAL);
        ClusterModel.Round o = ordered.round(sixteen, 64, 10);
        assertEquals(4 * 3_000_000 / ONE_GBIT, o.shuffleMs(), 1e-9);
        assertEquals(4 * 4_000_000 / ONE_GBIT, o.collectMs(), 1e-9);

        // 4 executors of 4 cores: partition p on executor p mod 4 = its reducer's executor in Spark's tree: no
        // network in the shuffle
        assertEquals(0, spark.round(ClusterModel.Cluster.of(4, 4, 1), 64, 10).shuffleMs(), 1e-9);
        // W <= 4: no shuffle, every partial sum to the driver
        ClusterModel.Round four = spark.round(ClusterModel.Cluster.of(4, 1, 1), 64, 10);
        assertEquals(0, four.shuffleMs());
        assertEquals(4 * 4_000_000 / ONE_GBIT, four.collectMs(), 1e-9);
    }

    @Test
    void imagesPerSecondFromComputeCommunicationAndLatency() {
        ClusterModel model = new ClusterModel(BYTES, ClusterModel.sparkTreeAggregate(), CAL);
        ClusterModel.Round r = model.round(ClusterModel.Cluster.of(4, 1, 10), 64, 10);
        double broadcast = ((8 << 20) + 2 * (4 << 20)) / TEN_GBIT;
        double collect = 4 * 4_000_000 / TEN_GBIT;
        assertEquals(10 * (100 + 10), r.computeMs(), 1e-9);
        assertEquals(broadcast + collect, r.communicationMs(), 1e-9);
        assertEquals(200, r.latencyMs(), 1e-9);
        assertEquals(1100 + broadcast + collect + 200, r.roundMs(), 1e-9);
        assertEquals(4 * 64 * 10 * 1000 / (1100 + broadcast + collect + 200), r.imagesPerSecond(), 1e-9);

        // four workers on a two-core machine: compute and data take twice as long
        ClusterModel.Round shared = model.round(new ClusterModel.Cluster(4, 1, 10, 2, 1), 64, 10);
        assertEquals(2 * 1100, shared.computeMs(), 1e-9);
        // one executor of 4 cores at 80 % each: c / 0.8 (data unchanged)
        ClusterModel.Round fat = model.round(new ClusterModel.Cluster(1, 4, 10, 0, 0.8), 64, 10);
        assertEquals(10 * (100 / 0.8 + 10), fat.computeMs(), 1e-9);
        // a per-task set-up: once per round on dedicated cores, whatever W; slowed by core sharing like compute
        ClusterModel setup = new ClusterModel(BYTES, ClusterModel.sparkTreeAggregate(),
                new ClusterModel.Calibration(100, 10, 200, 5));
        assertEquals(200 + 5, setup.round(ClusterModel.Cluster.of(8, 1, 10), 64, 10).latencyMs(), 1e-9);
        assertEquals(200 + 5 * 4, setup.round(new ClusterModel.Cluster(8, 1, 10, 2, 1), 64, 10).latencyMs(), 1e-9);
    }

    @Test
    void calibrationSubtractsThePredictedCommunicationAndFitsTheTaskSetUp() {
        // W = 2: 40 rounds of 2 x 10 minibatches of 100 in 100 s: c = 200 ms, d = 25 ms, 250 ms per round.
        PhaseResult two = new PhaseResult(1, "train", "spark://h:7077", 2, 100, 10, 40, 80_000, 100, 180,
                "driver+tasks", 0.8, 0.1, 0.1, 0.98, Map.of());
        // W = 4: 20 rounds of 4 x 10 in 50 s: c = 190 ms, d = 25 ms, 50 000 x 0.14 / 20 = 350 ms per round.
        PhaseResult four = new PhaseResult(1, "train", "spark://h:7077", 4, 100, 10, 20, 80_000, 50, 180,
                "driver+tasks", 0.76, 0.14, 0.1, 0.98, Map.of());
        // a 1.25 MB broadcast at 10 Gbit/s: 2 ms to 2 executors, 3 ms to 4; nothing else
        ClusterModel bytesOnly = new ClusterModel(new ClusterModel.Bytes(1_250_000, 0, 0),
                ClusterModel.sparkTreeAggregate(), new ClusterModel.Calibration(0, 0, 0, 0));
        List<ModelCalibration.Run> runs = List.of(new ModelCalibration.Run(two, 2, false),
                new ModelCalibration.Run(four, 4, false));
        // each worker its own core: one sharing (s = 1), so no task set-up apart from a; fixed 248 and 347 ms
        ClusterModel.Calibration own = ModelCalibration.fit(runs, bytesOnly, 10, 0);
        assertEquals(195, own.computeMsPerBatch(), 1e-9);
        assertEquals(25, own.dataMsPerBatch(), 1e-9);
        assertEquals(0, own.taskSetupMs());
        assertEquals((248 + 347) / 2.0, own.latencyMs(), 1e-9);
        // on 2 cores: s = 1 at W = 2, s = 2 at W = 4; c = (200 + 190 / 2) / 2, d = (25 + 25 / 2) / 2,
        // a + t = 248, a + 2 t = 347
        ClusterModel.Calibration c = ModelCalibration.fit(runs, bytesOnly, 10, 2);
        assertEquals(147.5, c.computeMsPerBatch(), 1e-9);
        assertEquals(18.75, c.dataMsPerBatch(), 1e-9);
        assertEquals(99, c.taskSetupMs(), 1e-9);
        assertEquals(149, c.latencyMs(), 1e-9);

        // one run: no per-worker term; a local run has no communication; shared cores divide c and d
        ClusterModel.Calibration local = ModelCalibration.fit(List.of(new ModelCalibration.Run(four, 1, true)),
                bytesOnly, 10, 2);
        assertEquals(350, local.latencyMs(), 1e-9);
        assertEquals(0, local.taskSetupMs());
        assertEquals(95, local.computeMsPerBatch(), 1e-9);
        assertEquals(12.5, local.dataMsPerBatch(), 1e-9);
    }

    @Test
    void theAdviceTakesTheFewestCoresThatMeetTheDeadline() throws IOException {
        ScalingResult study = ScalingResult.parse(new String(Objects.requireNonNull(getClass()
                .getResourceAsStream("/plan/scale-study.json")).readAllBytes(), StandardCharsets.UTF_8));
        ClusterModel model = new ClusterModel(BYTES, ClusterModel.sparkTreeAggregate(), CAL);
        List<Integer> executors = List.of(2, 4, 8, 16);
        // W = 2: F = 30, round = 30 x 110 + (8 MiB + 4 MiB) / 1.25 MB/ms + 2 x 3.2 + 200
        double round2 = 3300 + ((8 << 20) + (4 << 20)) / TEN_GBIT + 2 * 3.2 + 200;
        double seconds2 = 180_000 / (2 * 64 * 30 * 1000 / round2);
        double round4 = 3300 + ((8 << 20) + 2 * (4 << 20)) / TEN_GBIT + 4 * 3.2 + 200;
        double seconds4 = 240_000 / (4 * 64 * 30 * 1000 / round4);
        assertEquals(164.8, seconds2, 0.1);
        assertEquals(110.2, seconds4, 0.1);

        Plan plan = Plan.build(model, 64, 30, study, executors, List.of(1), List.of(10.0), 0, 1, 0.99, 300);
        TargetAdvice a = plan.advice().get(0);
        assertEquals(2, a.choice().orElseThrow().cluster().workers(), a.text()); // both meet 5 min: fewest cores
        assertEquals(seconds2, a.choice().orElseThrow().secondsToTarget(), 1e-9);

        TargetAdvice tighter = Plan.build(model, 64, 30, study, executors, List.of(1), List.of(10.0), 0, 1, 0.99, 150)
                .advice().get(0);
        assertEquals(4, tighter.choice().orElseThrow().cluster().workers(), tighter.text());
        assertEquals("plain", tighter.choice().orElseThrow().variant());

        // W = 16: plain never reached 0.99, the outer-Nesterov variant did in 180,000 images
        Plan.Row sixteen = plan.rows().stream().filter(r -> r.cluster().workers() == 16 && r.variant().equals("plain"))
                .findFirst().orElseThrow();
        assertFalse(sixteen.reachesTarget());
        assertTrue(sixteen.source().startsWith("not reached in the study"), sixteen.source());
        Plan.Row nesterov = plan.rows().stream().filter(r -> r.variant().equals("outer-nesterov")).findFirst()
                .orElseThrow();
        assertTrue(nesterov.reachesTarget());
        TargetAdvice fast = Plan.build(model, 64, 30, study, executors, List.of(1), List.of(10.0), 0, 1, 0.99, 40)
                .advice().get(0);
        assertEquals(16, fast.choice().orElseThrow().cluster().workers(), fast.text());
        assertEquals("outer-nesterov", fast.choice().orElseThrow().variant());

        // W = 8 was not measured: the W = 4 run speaks for it, and says so
        Plan.Row eight = plan.rows().stream().filter(r -> r.cluster().workers() == 8).findFirst().orElseThrow();
        assertEquals(4, eight.measuredWorkers());
        assertTrue(eight.source().contains("nearest measured W=4 below 8"), eight.source());

        // nothing reaches 0.99 in 10 s
        TargetAdvice none = Plan.build(model, 64, 30, study, executors, List.of(1), List.of(10.0), 0, 1, 0.99, 10)
                .advice().get(0);
        assertTrue(none.choice().isEmpty());
        assertTrue(none.text().contains("none meets the deadline"), none.text());
        // 0.992 was never reached
        TargetAdvice never = Plan.build(model, 64, 30, study, executors, List.of(1), List.of(10.0), 0, 1, 0.992,
                3600).advice().get(0);
        assertTrue(never.choice().isEmpty());
        assertTrue(never.fastest().isEmpty());
        assertTrue(never.text().contains("none:"), never.text());
    }

    @Test
    void durations() {
        assertEquals(900, Plan.parseDuration("15m"));
        assertEquals(900, Plan.parseDuration("900"));
        assertEquals(900, Plan.parseDuration("900s"));
        assertEquals(5400, Plan.parseDuration("1.5h"));
        assertEquals("12.5 min", Plan.duration(750));
    }
}
