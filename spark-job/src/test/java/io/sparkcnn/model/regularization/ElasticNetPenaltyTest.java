package io.sparkcnn.model.regularization;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.regularization.Regularization.ApplyStep;

import static io.sparkcnn.model.regularization.PenaltyChecks.BETA;
import static io.sparkcnn.model.regularization.PenaltyChecks.TOL;
import static io.sparkcnn.model.regularization.PenaltyChecks.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class ElasticNetPenaltyTest {
    private final ElasticNetPenalty elastic = new ElasticNetPenalty(0.1, 0.01);

    @Test
    void scoreIsTheSumOfTheL1AndL2Terms() {
        assertEquals(0.1 * (0.5 + 1 + 0 + 2 + 0.25) + 0.01 * (0.25 + 1 + 0 + 4 + 0.0625),
                elastic.score(vector(BETA), 0, 0), TOL);
    }

    @Test
    void applyAddsLambda1SignPlusTwoLambda2Beta() {
        PenaltyChecks.assertApplyAdds(elastic, BETA, new double[] {
                0.1 + 0.02 * 0.5, -0.1 - 0.02 * 1.0, 0.0, 0.1 + 0.02 * 2.0, -0.1 - 0.02 * 0.25});
    }

    @Test
    void gradientMatchesCentralDifferencesOfScoreAwayFromZero() {
        PenaltyChecks.assertGradientMatchesScore(new ElasticNetPenalty(0.3, 0.7), PenaltyChecks.randomVector(13, 20, 0.01), 1e-4, 1e-8);
    }

    @Test
    void isAppliedBeforeTheUpdater() {
        assertEquals(ApplyStep.BEFORE_UPDATER, elastic.applyStep());
    }

    @Test
    void rejectsNonPositiveOrNonFiniteStrengths() {
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.NEGATIVE_INFINITY}) {
            String l1 = assertThrows(IllegalArgumentException.class, () -> new ElasticNetPenalty(bad, 0.1)).getMessage();
            assertTrue(l1.contains("l1") && l1.contains(String.valueOf(bad)), l1);
            String l2 = assertThrows(IllegalArgumentException.class, () -> new ElasticNetPenalty(0.1, bad)).getMessage();
            assertTrue(l2.contains("l2") && l2.contains(String.valueOf(bad)), l2);
        }
    }
}
