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
class LassoPenaltyTest {
    private final LassoPenalty lasso = new LassoPenalty(0.1);

    @Test
    void scoreIsLambdaTimesSumOfAbsoluteValues() {
        assertEquals(0.1 * (0.5 + 1 + 0 + 2 + 0.25), lasso.score(vector(BETA), 0, 0), TOL);
    }

    @Test
    void applyAddsLambdaSignWithSignOfZeroZero() {
        PenaltyChecks.assertApplyAdds(lasso, BETA, new double[] {0.1, -0.1, 0.0, 0.1, -0.1});
    }

    @Test
    void gradientMatchesCentralDifferencesOfScoreAwayFromZero() {
        PenaltyChecks.assertGradientMatchesScore(new LassoPenalty(0.37), PenaltyChecks.randomVector(12, 20, 0.01), 1e-4, 1e-8);
    }

    @Test
    void isAppliedBeforeTheUpdater() {
        assertEquals(ApplyStep.BEFORE_UPDATER, lasso.applyStep());
    }

    @Test
    void rejectsNonPositiveOrNonFiniteLambda() {
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = assertThrows(IllegalArgumentException.class, () -> new LassoPenalty(bad)).getMessage();
            assertTrue(message.contains("lambda") && message.contains(String.valueOf(bad)), message);
        }
    }
}
