package io.sparkcnn.eval;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("unit")
class PromotionGateTest {
    private static final EvaluationReport CHAMPION = EvaluationReport.fromConfusion(new long[][]{{90, 10}, {10, 90}});

    @Test
    void lowerAccuracyIsRejectedWithTheFigures() {
        PromotionGate.Decision d = new PromotionGate(0.01).decide(CHAMPION,
                EvaluationReport.fromConfusion(new long[][]{{85, 15}, {12, 88}}));
        assertFalse(d.promote());
        assertTrue(d.reason().contains("accuracy 0.8650 is below the champion's 0.9000"), d.reason());
    }

    @Test
    void aClassThatGotWorseIsRejectedEvenWhenAccuracyHolds() {
        // same accuracy, but class 1 loses what class 0 gains
        PromotionGate.Decision d = new PromotionGate(0.01).decide(CHAMPION,
                EvaluationReport.fromConfusion(new long[][]{{100, 0}, {20, 80}}));
        assertFalse(d.promote());
        assertTrue(d.reason().contains("F1 of class 1"), d.reason());
    }

    @Test
    void aChallengerNoWorseWithinTheToleranceIsPromoted() {
        assertTrue(new PromotionGate(0.01).decide(CHAMPION,
                EvaluationReport.fromConfusion(new long[][]{{91, 9}, {10, 90}})).promote());
        assertTrue(new PromotionGate(0.01).decide(CHAMPION,
                EvaluationReport.fromConfusion(new long[][]{{90, 10}, {11, 89}})).promote(), "0.5 points worse, tolerated");
    }
}
